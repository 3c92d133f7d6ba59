/**
 * The applied spec: what `apply` installed for a job, written to the state dir so that
 * `sched run` uses exactly that — never the repository's YAML, which may be edited but not applied.
 * Whoever can change a spec file can run commands as this user, so every read checks the file and
 * the directories above it (see files.ts: owned by the user, not writable by others, no links).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BackendName, Job } from '../model/job.js';
import { UserError } from '../errors.js';
import { NodeDirFs } from '../platform/node.js';
import { checkDirSync, ensureDirSync, permissionError, readTextSync, removeSync } from './files.js';
import { jobStateDir, projectStateDir } from './paths.js';

function listDirSync(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw permissionError(e, dir);
  }
}

export const APPLIED_SPEC_FILE = 'spec.json';

/**
 * A spec write's temp file (`spec.json.<hex>` from write-file-atomic, `spec.json.<pid>.<x>.tmp`
 * from files.ts) that a killed writer left behind.
 */
const SPEC_TEMP = /^spec\.json\.[0-9a-z.]+$/;
/** A temp file this old is no write in progress (a spec write takes milliseconds): safe to remove. */
export const STALE_TEMP_MS = 10 * 60_000;

/**
 * Removes the spec temp files a killed apply left in `jobDir` that are older than
 * {@link STALE_TEMP_MS} — younger ones may belong to a write in progress. Best effort.
 */
export function removeStaleSpecTemps(jobDir: string, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(jobDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!SPEC_TEMP.test(name)) continue;
    const file = path.join(jobDir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_TEMP_MS) rmSync(file, { force: true });
    } catch {
      // Gone already, or not ours to remove: the next run tries again.
    }
  }
}

/**
 * What `sched run`, `check` and metrics need to know about the job's backend, recorded at apply
 * time from the backend's provider (src/backends/provider.ts), so the run path loads no backend
 * code.
 */
export interface SpecCapabilities {
  /** The scheduler applies the job's jitter itself (otherwise the wrapper sleeps before starting). */
  nativeJitter: boolean;
  /** The scheduler catches up on runs missed while the host was off (otherwise `sched run --catch-up` does). */
  nativeCatchUp: boolean;
  /** Every run is recorded in this state dir, so a fire time without a record is overdue. */
  runsRecordedHere: boolean;
  /** What to look at when the scheduler did not start a run. */
  overdueHint: string;
}

export const APPLIED_SPEC_FORMAT = 2;

export interface AppliedSpec {
  /** 2 since the spec carries `capabilities`; a 1 is upgraded when read ({@link upgradeSpec}). */
  format_version: typeof APPLIED_SPEC_FORMAT;
  backend: BackendName;
  appliedAt: string;
  /** The schedules.yaml the job came from. */
  sourceFile: string;
  job: Job;
  capabilities: SpecCapabilities;
}

/**
 * The capabilities each backend had when format 1 was replaced, frozen: a format-1 spec was
 * written by a sched whose backends behaved exactly so, and the run path must not load backend
 * code to find out. Never extended: a new backend only ever writes format 2.
 */
const FORMAT_1_CAPABILITIES: Readonly<
  Partial<Record<BackendName, (job: { project: string; name: string }) => SpecCapabilities>>
> = {
  systemd: (job) => ({
    nativeJitter: true,
    nativeCatchUp: true,
    runsRecordedHere: true,
    overdueHint: `is the timer active? (systemctl --user list-timers sched-${job.project}-${job.name}.timer; loginctl enable-linger for runs while logged out)`,
  }),
  crontab: () => ({
    nativeJitter: false,
    nativeCatchUp: false,
    runsRecordedHere: true,
    overdueHint: 'is the cron daemon running? (systemctl status cron, or pgrep -x cron)',
  }),
  launchd: (job) => ({
    nativeJitter: false,
    nativeCatchUp: false,
    runsRecordedHere: true,
    overdueHint: `is the agent loaded? (launchctl print gui/$UID/dev.sched.${job.project}.${job.name}; was the Mac asleep?)`,
  }),
  windows: (job) => ({
    nativeJitter: false,
    nativeCatchUp: true,
    runsRecordedHere: true,
    overdueHint: `is the task enabled? (schtasks /query /tn \\sched\\${job.project}\\${job.name} /v)`,
  }),
  kubernetes: () => ({
    nativeJitter: true,
    nativeCatchUp: true,
    runsRecordedHere: false,
    overdueHint: 'is the scheduler running? (sched doctor)',
  }),
  embedded: () => ({
    nativeJitter: false,
    nativeCatchUp: false,
    runsRecordedHere: true,
    overdueHint: 'is `sched daemon` running? (sched doctor)',
  }),
};

/**
 * A spec as read from disk, in the current format: a format-1 spec gets the capabilities its
 * backend had then ({@link FORMAT_1_CAPABILITIES}); a backend unknown to this table gets none
 * (the wrapper then adds jitter and catch-up itself, the safe side: nothing is skipped).
 */
export function upgradeSpec(raw: unknown): AppliedSpec {
  const spec = raw as Omit<AppliedSpec, 'format_version' | 'capabilities'> & {
    format_version: number;
    capabilities?: SpecCapabilities;
  };
  if (spec.format_version !== 1 || spec.capabilities) return spec as AppliedSpec;
  const frozen = FORMAT_1_CAPABILITIES[spec.backend];
  const capabilities = frozen
    ? frozen(spec.job)
    : {
        nativeJitter: false,
        nativeCatchUp: false,
        runsRecordedHere: true,
        overdueHint: 'is the scheduler running? (sched doctor)',
      };
  return { ...spec, format_version: APPLIED_SPEC_FORMAT, capabilities };
}

/**
 * The applied spec of a job, read synchronously (the hot path of every scheduled run: an async
 * open costs more than the whole read), or undefined when the job was not applied. Refuses a
 * spec, or a directory above it, that someone else could have changed.
 */
export function readAppliedSpecSync(root: string, project: string, job: string): AppliedSpec | undefined {
  const dir = jobStateDir(root, project, job);
  checkDirSync(dir, path.dirname(root));
  const text = readTextSync(path.join(dir, APPLIED_SPEC_FILE));
  if (text === undefined) return undefined;
  removeStaleSpecTemps(dir);
  try {
    return upgradeSpec(JSON.parse(text));
  } catch (e) {
    throw new UserError(
      `the applied spec of job ${job} is unreadable: ${(e as Error).message}`,
      'run `sched apply` again',
    );
  }
}

export class AppliedSpecStore {
  constructor(readonly root: string) {}

  async write(spec: AppliedSpec): Promise<void> {
    await this.writeMany([spec]);
  }

  /**
   * Writes many specs: each atomically and durably (temp file, fsync, rename), several at a
   * time — the file system commits concurrent fsyncs together, which makes an apply of 1,000
   * jobs several times faster than one fsync after the other.
   */
  async writeMany(specs: readonly AppliedSpec[], concurrency = 16): Promise<void> {
    const dirs = specs.map((spec) => jobStateDir(this.root, spec.job.project, spec.job.name));
    // The state root's parent is the base, so a state root that is a symlink is refused too.
    for (const dir of dirs) {
      ensureDirSync(dir, path.dirname(this.root));
      removeStaleSpecTemps(dir);
    }
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < specs.length; i = next++) {
        await new NodeDirFs(dirs[i]!, 0o700).write(
          APPLIED_SPEC_FILE,
          JSON.stringify(specs[i], null, 2) + '\n',
          0o600,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  }

  async read(project: string, job: string): Promise<AppliedSpec | undefined> {
    return readAppliedSpecSync(this.root, project, job);
  }

  /**
   * All applied specs of a project (jobs whose spec file exists). Synchronous reads on purpose:
   * a plan reads one small file per job, and for 1,000 jobs promise overhead dominates.
   */
  async list(project: string): Promise<AppliedSpec[]> {
    const jobsDir = path.join(projectStateDir(this.root, project), 'jobs');
    checkDirSync(jobsDir, path.dirname(this.root));
    const specs: AppliedSpec[] = [];
    for (const name of listDirSync(jobsDir).sort()) {
      checkDirSync(path.join(jobsDir, name), jobsDir);
      const text = readTextSync(path.join(jobsDir, name, APPLIED_SPEC_FILE));
      if (text) specs.push(upgradeSpec(JSON.parse(text)));
    }
    return specs;
  }

  /** Removes the spec only: run history and logs stay for `sched history`. */
  async remove(project: string, job: string): Promise<void> {
    removeSync(path.join(jobStateDir(this.root, project, job), APPLIED_SPEC_FILE));
  }
}
