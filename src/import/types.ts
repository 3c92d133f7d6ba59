/**
 * What `sched import` finds on a host and proposes: pure data shared by the per-scheduler
 * converters (each in its backend's folder: src/backends/<name>/import.ts), the YAML writer and
 * the service.
 */
import type { BackendName } from '../model/job.js';

/** Where a foreign job was found. */
export interface ImportSource {
  /** The scheduler it lives in (one whose provider has `importFrom`). */
  scheduler: BackendName;
  /** For people: `crontab line 7`, `timer backup.timer`, `agent com.example.sync`. */
  where: string;
  /** The native text it came from (the crontab line, the OnCalendar value…). */
  original: string;
  /** crontab: 0-based index of the line in the crontab text (what `--write` comments out). */
  line?: number;
  /** systemd / launchd / windows: the unit name, label or task path to disable on `--write`. */
  id?: string;
}

/** One job sched proposes to manage instead of the foreign entry. */
export interface JobProposal {
  /** A valid, unique job name derived from the command. */
  name: string;
  description?: string;
  /** Cron text as written (blanks collapsed), or a preset when it is the identical schedule. */
  schedule: string;
  /** A string runs through /bin/sh like cron does; an array is an argv. */
  command: string | string[];
  env?: Record<string, string>;
  working_dir?: string;
  env_file?: string;
  timezone?: string;
  catch_up?: boolean;
  /** Lines written as YAML comments above the job (where it came from, what changed). */
  notes: string[];
  source: ImportSource;
}

/** A foreign entry that cannot be imported exactly, and why. */
export interface ImportRefusal {
  source: ImportSource;
  reason: string;
}

export interface ImportScan {
  proposals: JobProposal[];
  refused: ImportRefusal[];
}

/** A foreign entry converted but not yet named (names are given once all sources are known). */
export type UnnamedProposal = Omit<JobProposal, 'name'> & {
  /** What the name is derived from (a command or a label). */
  nameHint: string;
};

export interface UnnamedScan {
  proposals: UnnamedProposal[];
  refused: ImportRefusal[];
}
