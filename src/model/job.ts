/**
 * The resolved job model: what a schedules.yaml job means once defaults, presets and relative
 * paths are resolved. Everything downstream (render, plan, run) works on these values, never on
 * raw YAML. This module imports nothing else from src/.
 */

/** Backends sched can reconcile. `auto` is resolved to one of these before anything is rendered. */
export const BACKENDS = ['systemd', 'launchd', 'crontab', 'windows', 'kubernetes', 'embedded'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

export const OVERLAP_POLICIES = ['skip', 'queue', 'replace', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** Presets accepted in `schedule:` and the cron expression each stands for (boot/wake are events). */
export const CRON_PRESETS: Readonly<Record<string, string>> = {
  hour: '0 * * * *',
  day: '0 9 * * *',
  weekday: '0 9 * * 1-5',
  week: '0 9 * * 1',
  month: '0 9 1 * *',
};
export const EVENT_PRESETS = ['boot', 'wake'] as const;
export type ScheduleEvent = (typeof EVENT_PRESETS)[number];

/**
 * A job's schedule.
 * - `cron`: a 5-field expression (or a macro such as `@daily`) with Debian cron semantics; `expr` is what the
 *   user wrote after preset expansion (macros kept as written, e.g. `@daily`).
 * - `event`: fires at boot (`@reboot`) or on wake from sleep.
 * - `at`: a one-shot at a local wall-clock time (`YYYY-MM-DD HH:MM`) in the job's zone.
 */
export type Schedule =
  | { kind: 'cron'; expr: string; source: string }
  | { kind: 'event'; event: ScheduleEvent; source: string }
  | { kind: 'at'; local: string; source: string };

/** A command is either an argv (run directly, no shell) or a string for `/bin/sh -c`. */
export type Command = { argv: string[] } | { shell: string };

export interface Retries {
  max: number;
  delaySeconds: number;
}

export interface KubernetesSettings {
  namespace: string;
  image: string;
  context?: string;
  serviceAccount?: string;
  resources?: Record<string, unknown>;
  envFromSecret?: string;
  history?: { successful?: number; failed?: number };
  /**
   * Absolute working directory inside the container (`kubernetes.working_dir`). The job's
   * host `workingDir` means nothing in a pod, so only this setting becomes `workingDir`;
   * unset: the image's WORKDIR.
   */
  workingDir?: string;
  /**
   * `kubernetes.strict_clock_changes`: true refuses any difference from Debian cron at clock
   * changes; false refuses none; unset refuses only runs lost outright (see clock-changes.ts).
   */
  strictClockChanges?: boolean;
}

/** What a notifier hears about (`recovery`: the first ok after one or more failures). */
export const NOTIFY_EVENTS = ['failure', 'recovery', 'missed', 'success', 'start'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
export const DEFAULT_NOTIFY_ON: readonly NotifyEvent[] = ['failure', 'recovery', 'missed'];

/**
 * One notifier of a job. URLs are kept as written: `${VAR}` is expanded from the job's env_file
 * only when an event is delivered, so the applied spec and the plan never hold the secret.
 */
export type Notifier = (
  { webhook: string; format: 'json' | 'slack' } | { command: string[] } | { email: string }
) & {
  on: NotifyEvent[];
  timeoutSeconds: number;
  /** Extra delivery attempts after a failed one. */
  retries: number;
};

/** One fully resolved job. Paths are absolute; durations are whole seconds. */
export interface Job {
  project: string;
  name: string;
  description?: string;
  schedule: Schedule;
  command: Command;
  /** Absolute working directory (defaults to the folder holding schedules.yaml). */
  workingDir: string;
  /** Inline, non-secret environment. */
  env: Record<string, string>;
  /** Absolute path of an env file read by `sched run` at run time (secrets live there). */
  envFile?: string;
  /** IANA zone name. */
  timezone: string;
  timeoutSeconds?: number;
  overlap: OverlapPolicy;
  catchUp: boolean;
  retries: Retries;
  jitterSeconds: number;
  enabled: boolean;
  onFailure?: Command;
  kubernetes?: KubernetesSettings;
  /** Who hears about runs; absent (never empty) when nobody does. */
  notify?: Notifier[];
  /** healthchecks.io-style ping URL, as written (`${VAR}` expanded at run time). */
  healthcheck?: string;
  /** Absolute path of the project's Prometheus textfile (top-level `metrics.textfile`). */
  metricsTextfile?: string;
}

/** A resolved project: the jobs of one schedules.yaml for one host. */
export interface Project {
  name: string;
  /** Absolute path of the schedules.yaml it came from. */
  file: string;
  backend: BackendChoice;
  jobs: Job[];
  /**
   * The host's zone the file was resolved with, and the jobs that got it because neither they
   * nor `defaults` name a `timezone:` (what `plan` reports).
   */
  hostZone?: { zone: string; jobs: string[] };
}

/** Job names become file names, unit names and labels: keep them to this safe alphabet. */
export const JOB_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Project names share the same alphabet (they prefix unit names and labels). */
export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The one job-name check: every reader of a job name (file, CLI, state dir, native entry) asks this. */
export function isValidJobName(name: string): boolean {
  return JOB_NAME_PATTERN.test(name);
}

/** The one project-name check, as {@link isValidJobName} for project names. */
export function isValidProjectName(name: string): boolean {
  return PROJECT_NAME_PATTERN.test(name);
}

/** Turns a folder name into a project name: lower case, runs of other characters become `-`. */
export function slugifyProjectName(raw: string): string {
  const slug = raw
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug || 'default';
}
