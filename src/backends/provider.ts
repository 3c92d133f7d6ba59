/**
 * The backend provider contract: everything sched knows about one scheduler, in one descriptor
 * exported by `src/backends/<name>/provider.ts`. The registry (registry.ts) is a table of these;
 * the layers above ask a provider instead of naming a backend. A descriptor is cheap to load:
 * the backend's code (render, parse, adapter) is imported only by {@link BackendProvider.create}.
 */
import type { SettingsKey, SettingsResolver } from '../config/backend-settings.js';
import type { BackendName, Job } from '../model/job.js';
import type { Runner } from '../platform/ports.js';
import type { JobPlan } from '../plan/types.js';
import type { AppliedSpec, SpecCapabilities } from '../state/applied.js';
import type { Backend } from './types.js';

export type { SettingsDiagnostic, SettingsKey, SettingsResolution } from '../config/backend-settings.js';

/**
 * What a backend does by itself, as facts the layers above act on. The run path needs the
 * first three; apply records them in the applied spec ({@link RunCapabilities}) so `sched run`
 * never loads backend code.
 */
export interface BackendCapabilities {
  /** The scheduler delays a start by the job's jitter itself (otherwise the wrapper sleeps). */
  nativeJitter: boolean;
  /**
   * The scheduler starts a run missed while the host was off (otherwise a boot/wake entry runs
   * `sched run --catch-up`).
   */
  nativeCatchUp: boolean;
  /**
   * Every run goes through `sched run` on this host, so the state dir has its record and a
   * missing record means a missed run (false: the runs are recorded elsewhere, e.g. a cluster).
   */
  runsRecordedHere: boolean;
  /** A paused job stays registered in a paused form instead of being removed. */
  keepsPausedJobsRegistered: boolean;
}

/**
 * The part of {@link BackendCapabilities} that `sched run`, `check` and metrics need, as apply
 * records it in the applied spec, plus the job's hint for a run that did not happen.
 */
export type RunCapabilities = SpecCapabilities;

/** Everything a backend is built from, resolved for this host. */
export interface HostOptions {
  env?: NodeJS.ProcessEnv;
  runner?: Runner;
  homeDir?: string;
  stateRoot: string;
  /** systemd: `user` (default) or `system` (as root). */
  systemdScope?: 'user' | 'system';
  platform?: NodeJS.Platform;
  /** The moment the command runs (backends whose checks look ahead, e.g. Kubernetes clock changes). */
  now?: Date;
}

/** How a clock change in the job's zone affects a run, as the schedule engine classifies it. */
export type ClockChangeEffect = 'moved' | 'once' | 'doubled';

/** One `sched doctor` finding (the doctor service's shape). */
export interface ProviderFinding {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

/** What a provider's doctor checks may use: all OS access through the runner. */
export interface ProviderDoctorDeps {
  runner: Runner;
  platform: NodeJS.Platform;
  user: string;
  /** The project's jobs, when doctor was given a valid schedules file. */
  jobs?: readonly Job[];
}

/** The options of a `sched daemon --install` service definition. */
export interface DaemonInstallOptions {
  nodePath: string;
  schedBin: string;
  /** Extra daemon arguments (`--project P`…). */
  args: string[];
  /** Environment for the daemon (SCHED_HOME when set at install time). */
  env: Record<string, string>;
  graceSeconds: number;
  /** Where the daemon's output goes, for service managers that need a file. */
  logFile?: string;
}

/** Marks a file as written by `sched daemon --install`, so it is never overwritten when foreign. */
export const DAEMON_INSTALL_MARKER = 'sched-managed daemon';

/** A service manager that can keep `sched daemon` itself running. */
export interface DaemonHost {
  /** The service manager in words, for messages: `systemd (Linux)`. */
  label: string;
  /**
   * The platforms where `sched daemon --install` writes this host's definition; `default`: every
   * platform no other host claims (except Windows, which has none).
   */
  platforms: readonly NodeJS.Platform[] | 'default';
  /** The definition file: its directory and name. */
  location(env: NodeJS.ProcessEnv, home: string): { dir: string; name: string };
  /** The definition's text (carries {@link DAEMON_INSTALL_MARKER}). Pure. */
  render(options: DaemonInstallOptions): string;
  /** The commands the user runs to enable it (sched never enables it behind their back). */
  enable(file: string): string[];
}

/**
 * The settings a backend reads from `schedules.yaml`: a block named after the backend, under a
 * job or under `defaults:` (the job's keys win, key by key).
 */
export interface ProviderSettings<K extends SettingsKey = SettingsKey> extends SettingsResolver<K> {
  /**
   * The block's JSON Schema, as `$defs` entries: the one named like the block's `key` is the block itself,
   * the others are what it references. scripts/assemble-schema.mjs adds them to
   * schemas/schedules.schema.json with a `key` property under each job and `defaults:`; names
   * must not clash with the base schema's or another backend's.
   */
  readonly schemaDefs: Readonly<Record<string, object>>;
}

/** One backend, as the rest of sched sees it. */
export interface BackendProvider {
  readonly name: BackendName;
  /**
   * What choosing it means, in Markdown, for the `backend:` choices editors show (the line
   * `- \`name\`: schemaDoc` of the schema's `backend` description).
   */
  readonly schemaDoc: string;
  readonly capabilities: BackendCapabilities;
  /** Its `schedules.yaml` settings block, for a backend that has one. */
  readonly settings?: ProviderSettings;
  /**
   * `backend: auto`. `exclusiveOn`: the platforms where this backend is the one choice, taken
   * without a probe, with `reason` as the words `plan` shows. `probeOrder`: on the other
   * platforms, backends are probed (`detect()`) in this order and the first reachable one wins.
   */
  readonly auto?: { exclusiveOn?: readonly NodeJS.Platform[]; reason?: string; probeOrder?: number };
  /** The backend `auto` falls back to when nothing else is reachable. At most one provider. */
  readonly fallback?: boolean;
  /** Builds the backend wired to this host; imports the backend's code. */
  create(options: HostOptions): Promise<Backend>;
  /**
   * What it writes to, as a short file-name-safe key: two projects with the same key share one
   * native target and must not change it at the same time (apply takes one lock per key).
   */
  targetKey(options: HostOptions): string;
  /** The hint `check` and metrics give when the scheduler did not start a run of `job`. */
  overdueHint(job: Pick<Job, 'project' | 'name'>): string;
  /** What `doctor` suggests when the backend is not reachable. */
  unreachableFix: string;
  /**
   * What the scheduler does with a run a clock change moves, keeps once or doubles, for `plan`.
   * A missing effect gets an honest "not verified by sched".
   */
  clockChanges?: Partial<Record<ClockChangeEffect, string>>;
  /**
   * The day until which an installed artifact of this backend follows Debian cron at clock
   * changes (systemd's explicit OnCalendar= lines); undefined when it needs no such window.
   */
  clockChangesUntil?(artifact: { kind: string; content: string }): Date | undefined;
  /** Project-wide warnings for `sched status` (a helper unit that failed…). */
  statusWarnings?(input: {
    stateRoot: string;
    project: string;
    applied: readonly AppliedSpec[];
    jobs: readonly JobPlan[];
  }): string[];
  /** Backend-specific `doctor` checks (lingering, the cron daemon…). */
  doctor?(deps: ProviderDoctorDeps): Promise<ProviderFinding[]>;
  /** A service manager of this backend that can keep `sched daemon` running. */
  daemonHost?: DaemonHost;
  /**
   * `sched import` reads this scheduler's foreign entries on the platforms where `on` is true,
   * in ascending `order` (its converter is `src/backends/<name>/import.ts`); `listed`: its place
   * among the `--backend` choices of `sched import`.
   */
  importFrom?: { on(platform: NodeJS.Platform): boolean; order: number; listed: number };
  /**
   * Lines `sched init --backend NAME` adds under `defaults:` (the backend's required settings,
   * indented by two spaces, newline-terminated).
   */
  starterSettings?: string;
}

/** The {@link RunCapabilities} apply records for `job` on `provider`. */
export function runCapabilities(
  provider: BackendProvider,
  job: Pick<Job, 'project' | 'name'>,
): RunCapabilities {
  return {
    nativeJitter: provider.capabilities.nativeJitter,
    nativeCatchUp: provider.capabilities.nativeCatchUp,
    runsRecordedHere: provider.capabilities.runsRecordedHere,
    overdueHint: provider.overdueHint(job),
  };
}
