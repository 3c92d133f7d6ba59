/**
 * The contract every backend implements. A backend turns jobs into native artifacts (pure
 * `render`), reads back what it owns on the host (`readInstalled`, one batched query), and
 * applies a list of artifact changes (`apply`, idempotent). The plan engine (src/plan) is
 * generic over this contract: no backend knows about plans.
 */
import type { BackendName, Job } from '../model/job.js';
import type { Clock, DirFs, Runner } from '../platform/ports.js';

/** One native thing sched writes for a job: a unit file, a timer, a plist, a crontab entry… */
export interface Artifact {
  /** Unique within the backend and project: a file name, `crontab:<job>`, `<ns>/<name>`. */
  id: string;
  /** The job it belongs to; `''` for project-wide artifacts (e.g. the crontab catch-up line). */
  job: string;
  /** What it is, for people: `service`, `timer`, `crontab entry`, `plist`, `task`, `cronjob`. */
  kind: string;
  /** The exact text sched writes, ownership header included. */
  content: string;
  /** Hash of the rendered content (see src/backends/header.ts); it is also in the header. */
  hash: string;
}

/** An artifact as found on the host. */
export interface InstalledArtifact {
  id: string;
  job: string;
  kind: string;
  /** The text as it is now on the host (for diffs). */
  content: string;
  /** The hash sched recorded in the header when it wrote the artifact; undefined: no header (not ours). */
  recordedHash?: string;
  /** Hash of the content as it is now, computed the same way; differs from recordedHash after a hand edit. */
  actualHash: string;
  /** Registered with the scheduler (timer enabled and active, agent loaded, task present…). */
  registered: boolean;
}

export type ChangeAction = 'create' | 'update' | 'delete';

/** One change to one artifact, as the plan engine decided it. */
export interface ArtifactChange {
  action: ChangeAction;
  id: string;
  job: string;
  kind: string;
  /** What is installed now (update, delete). */
  before?: InstalledArtifact;
  /** What sched wants installed (create, update). */
  after?: Artifact;
}

/** Everything a renderer needs beyond the job, resolved once per run. */
export interface RenderContext {
  /** Absolute path to the node binary that runs sched (cron and launchd have no PATH). */
  nodePath: string;
  /** Absolute path to sched's bin/run.js. */
  schedBin: string;
  /** sched's state directory (logs live below it). */
  stateDir: string;
  /** The host's IANA zone, for backends that only know local time. */
  hostTimezone: string;
  /** The user's home directory. */
  homeDir: string;
  /**
   * Set when the state dir is not the default (`$SCHED_HOME` was set at apply time): native
   * entries then pass it to `sched run`, since schedulers do not carry the apply's environment.
   */
  explicitStateDir?: string;
}

/** A file written by `sched render`. */
export interface RenderedFile {
  name: string;
  content: string | Uint8Array;
}

export interface Detection {
  available: boolean;
  /** Why it is or is not available, in words for `plan` and `doctor`. */
  reason: string;
}

/** What the OS access of a backend is built from; swapped for fakes in tests. */
export interface BackendPorts {
  runner: Runner;
  clock: Clock;
  /** A directory the backend owns files in (unit dir, LaunchAgents), when it has one. */
  dir?: DirFs;
}

/** Options of {@link Backend.apply}. Backends that have no use for an option ignore it. */
export interface BackendApplyOptions {
  /**
   * Compare-and-swap: what {@link Backend.observedState} returned after the read the plan was
   * made from. `apply` re-reads the host right before writing and refuses, writing nothing, when
   * it no longer matches (someone else changed it since the plan). Without it, a backend that
   * has observedState compares with its own last readInstalled of the project, if any.
   */
  expectedState?: string;
}

export interface Backend {
  readonly name: BackendName;
  /** Is this scheduler reachable here? */
  detect(): Promise<Detection>;
  /**
   * Problems that make the job inexpressible on this backend, as sentences naming why and what
   * to do. Empty when render will succeed. Pure.
   */
  check(job: Job, ctx: RenderContext): string[];
  /**
   * Differences the backend will run the job with that are not refused (e.g. a CronJob that
   * fires twice in the repeated autumn hour), as sentences; validate and render show them as
   * warnings at the job. Empty when there are none.
   */
  advisories?(job: Job, ctx: RenderContext): string[];
  /**
   * Problems of the project as a whole (a crontab block over the crontab's size limit), each at
   * the job where it begins, phrased like {@link check}'s. Pure.
   */
  checkProject?(jobs: readonly Job[]): { job: string; problem: string }[];
  /** The job's artifacts, byte-stable. Pure. Throws InexpressibleError when check() is not empty. */
  render(job: Job, ctx: RenderContext): Artifact[];
  /**
   * True when a paused job (`enabled: false`) stays registered in a paused form (a suspended
   * CronJob) rather than being removed: the plan then renders disabled jobs too.
   */
  readonly registersPausedJobs?: boolean;
  /**
   * Tells the backend about jobs applied before (from the state dir), so readInstalled also looks
   * where they live (e.g. their Kubernetes namespaces) — needed for destroy and removed jobs.
   */
  useJobs?(jobs: Job[]): void;
  /** Project-wide artifacts (catch-up entry…) given all enabled jobs; may be empty. Pure. */
  renderProject?(project: string, jobs: Job[], ctx: RenderContext): Artifact[];
  /**
   * The artifacts as the files `sched render --out DIR` writes (a crontab block, UTF-16 task
   * XML…). Without it, each artifact is written as a file named by its id. Pure.
   */
  renderFiles?(project: string, artifacts: Artifact[]): RenderedFile[];
  /** Everything this project owns on the host, in one batched query. */
  readInstalled(project: string): Promise<InstalledArtifact[]>;
  /**
   * Artifacts with sched's names that sched did not write (a name clash): ids with a reason.
   * Part of readInstalled's result in practice: returned as InstalledArtifact without recordedHash.
   */
  /** Applies the changes, idempotently; one reload per call. */
  apply(project: string, changes: ArtifactChange[], options?: BackendApplyOptions): Promise<void>;
  /**
   * For backends whose host state is one document shared with others (the user crontab): an
   * opaque token of that document as the last `readInstalled(project)` of this instance saw it.
   * Pass it back as {@link BackendApplyOptions.expectedState} to make `apply` a compare-and-swap.
   */
  observedState?(project: string): string | undefined;
  /**
   * Notes for `plan` on how this backend will fire the job differently from `sched next` (DST
   * changes it handles its own way…). Without it, the plan uses the generic DST notes. Pure.
   */
  notes?(job: Job, from: Date): string[];
  /** Warnings for `plan` (lingering off, daemon not running…). */
  warnings?(): Promise<string[]>;
  /** Starts a job now through the scheduler (`run-now`). */
  runNow?(project: string, job: string): Promise<void>;
  /**
   * True when runNow asks the scheduler to start the installed entry, whose command line is the
   * scheduled `sched run --trigger BACKEND` (systemd, launchd, Task Scheduler): run-now then
   * leaves a one-shot request (state/run-now-request.ts) so that run counts as asked for by hand.
   */
  readonly runNowStartsEntry?: boolean;
}
