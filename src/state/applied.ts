/**
 * The applied spec: what `apply` installed for a job, written to the state dir so that
 * `sched run` uses exactly that — never the repository's YAML, which may be edited but not applied.
 * Whoever can change a spec file can run commands as this user, so every read checks the file and
 * the directories above it (see files.ts: owned by the user, not writable by others, no links).
 *
 * Layout and the one durable commit of an apply:
 * - `projects/<p>/jobs/<job>/spec.json`: the spec `sched run` reads, one small file (O(1) of the
 *   project's size). The truth of what runs. Written atomically (temp file, rename) but NOT
 *   fsynced one by one: 1,000 fsyncs were most of a 1,000-job apply.
 * - `projects/<p>/applied.json` (the manifest, {@link MANIFEST_FILE}): every applied spec of the
 *   project with the identity (inode, size, mtime) of the spec.json it was written as. Written
 *   after the spec files, atomically and durably (fsync of the file and of its folder): the one
 *   durable commit of an apply. It has its own `layout_version`; AppliedSpec is unchanged.
 * - Listing (plan, status…) reads the manifest and lstats each spec.json: a file whose identity
 *   matches is the manifest's spec; any other (written after the manifest by an apply killed
 *   before its commit, edited, rolled back by a power cut, a state dir from before the manifest)
 *   is read itself. So a plan always shows what `sched run` would use, at one lstat a job.
 * - A spec.json a power cut left empty or cut short is recovered from the manifest (by `sched
 *   run` too, at O(project) only then). Removing a job removes its spec.json only; the manifest
 *   forgets it at the next write.
 */
import fs, { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BackendName, Job } from '../model/job.js';
import { UserError } from '../errors.js';
import {
  checkDirSync,
  ensureDirSync,
  FILE_MODE,
  permissionError,
  readTextSync,
  removeSync,
  writeAtomicSync,
} from './files.js';
import { jobStateDir, projectStateDir } from './paths.js';
import { assertTrustedChild, currentUid, lstatChecked, makeTrustedChild } from '../platform/trust.js';

function listDirSync(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw permissionError(e, dir);
  }
}

export const APPLIED_SPEC_FILE = 'spec.json';
/** The project's manifest of applied specs, below `projects/<p>/`. */
export const MANIFEST_FILE = 'applied.json';
/** The manifest's own layout version (not AppliedSpec's format_version). */
export const MANIFEST_LAYOUT_VERSION = 1;

/** What identifies the spec.json a manifest entry was written as. */
interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

interface ManifestEntry {
  file: FileIdentity;
  spec: AppliedSpec;
}

interface Manifest {
  layout_version: number;
  jobs: Record<string, ManifestEntry>;
}

function identityOf(st: fs.Stats): FileIdentity {
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

function sameIdentity(a: FileIdentity | undefined, st: fs.Stats): boolean {
  return a !== undefined && a.ino === st.ino && a.size === st.size && a.mtimeMs === st.mtimeMs;
}

function manifestPath(root: string, project: string): string {
  return path.join(projectStateDir(root, project), MANIFEST_FILE);
}

/** The manifest, or undefined when there is none or it cannot be used (then spec files are read). */
function readManifest(root: string, project: string): Manifest | undefined {
  const text = readTextSync(manifestPath(root, project));
  if (!text) return undefined;
  try {
    const m = JSON.parse(text) as Manifest;
    if (!(m && m.layout_version === MANIFEST_LAYOUT_VERSION && typeof m.jobs === 'object')) return undefined;
    // Specs older than the spec format the manifest was written with read as their upgrade.
    for (const entry of Object.values(m.jobs)) entry.spec = upgradeSpec(entry.spec);
    return m;
  } catch {
    return undefined; // damaged: the spec files are the truth
  }
}

/** A spec's text parsed, or undefined when it is empty or cut short (a power cut). */
function parseSpec(text: string): AppliedSpec | undefined {
  try {
    const spec = JSON.parse(text) as AppliedSpec;
    return spec && typeof spec === 'object' && spec.job ? upgradeSpec(spec) : undefined;
  } catch {
    return undefined;
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some systems cannot fsync a directory (Windows): the rename is all there is.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Steps of a write, for fault injection in tests (a SIGKILL at a chosen step). */
export type SpecWriteStep = 'spec-files-written' | 'manifest-committed';

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
  const spec = parseSpec(text);
  if (spec) return spec;
  // Empty or cut short (a power cut before the file reached the disk): the manifest, committed
  // durably after it, holds the same spec.
  const recovered = readManifest(root, project)?.jobs[job]?.spec;
  if (recovered) return recovered;
  throw new UserError(
    `the applied spec of job ${job} is unreadable (${text.length} bytes, not valid JSON)`,
    'run `sched apply` again',
  );
}

export class AppliedSpecStore {
  /**
   * Per project: the entries this instance last listed or wrote. An instance lives within one
   * hold of the project's apply lock (the only writers), so a write right after a listing
   * builds the manifest from it instead of listing again.
   */
  private readonly known = new Map<string, Map<string, ManifestEntry>>();

  constructor(
    readonly root: string,
    /** Called after each step of a write: tests kill the process there. */
    private readonly onStep: (step: SpecWriteStep) => void = () => {},
  ) {}

  async write(spec: AppliedSpec): Promise<void> {
    await this.writeMany([spec]);
  }

  /**
   * Writes many specs with ONE durable commit (see the module comment): each spec.json
   * atomically without its own fsync, then the project's manifest (every spec of the project,
   * with the identity of each file) atomically and durably. `onWritten` follows each spec file.
   * Specs of several projects are committed project by project.
   */
  async writeMany(
    specs: readonly AppliedSpec[],
    onWritten: (spec: AppliedSpec, index: number) => void = () => {},
  ): Promise<void> {
    const base = path.dirname(this.root);
    const byProject = new Map<string, Map<string, ManifestEntry>>();
    const uid = currentUid();
    for (const [index, spec] of specs.entries()) {
      const { project, name } = spec.job;
      const dir = jobStateDir(this.root, project, name);
      if (!byProject.has(project)) {
        // The chain down to the jobs folder is made and checked once per project (the state
        // root's parent is the base, so a state root that is a symlink is refused too).
        ensureDirSync(path.dirname(dir), base);
        // Listed before the first write: the manifest must hold every spec, new and old.
        byProject.set(project, this.known.get(project) ?? this.entries(project));
      }
      // Then one lstat (and a mkdir for a new job) per job folder.
      if (makeTrustedChild(dir, uid)) removeStaleSpecTemps(dir);
      const file = path.join(dir, APPLIED_SPEC_FILE);
      writeAtomicSync(file, JSON.stringify(spec, null, 2) + '\n', FILE_MODE, false);
      byProject.get(project)!.set(name, { file: identityOf(fs.lstatSync(file)), spec });
      onWritten(spec, index);
    }
    this.onStep('spec-files-written');
    for (const [project, entries] of byProject) {
      const manifest: Manifest = {
        layout_version: MANIFEST_LAYOUT_VERSION,
        jobs: Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      };
      const file = manifestPath(this.root, project);
      writeAtomicSync(file, JSON.stringify(manifest) + '\n', FILE_MODE, true);
      fsyncDir(path.dirname(file));
      this.known.set(project, entries);
    }
    this.onStep('manifest-committed');
  }

  async read(project: string, job: string): Promise<AppliedSpec | undefined> {
    return readAppliedSpecSync(this.root, project, job);
  }

  /**
   * All applied specs of a project (jobs whose spec file exists), sorted by job name: from the
   * manifest where a spec file is the one it was written as, else from the file itself.
   * Synchronous on purpose: for 1,000 jobs promise overhead dominates.
   */
  async list(project: string): Promise<AppliedSpec[]> {
    return [...this.entries(project).values()].map((e) => e.spec);
  }

  /** Each applied job's spec and the identity of its spec.json, in job name order. */
  private entries(project: string): Map<string, ManifestEntry> {
    const jobsDir = path.join(projectStateDir(this.root, project), 'jobs');
    checkDirSync(jobsDir, path.dirname(this.root));
    const manifest = readManifest(this.root, project);
    const uid = currentUid();
    const out = new Map<string, ManifestEntry>();
    for (const name of listDirSync(jobsDir).sort()) {
      // jobsDir and the chain above it are checked once, above: each job folder is one lstat.
      const jobDir = path.join(jobsDir, name);
      assertTrustedChild(jobDir, lstatChecked(jobDir), uid);
      const file = path.join(jobDir, APPLIED_SPEC_FILE);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw permissionError(e, file);
      }
      const known = manifest?.jobs[name];
      // The manifest's copy only for the very file it was written as, and one sched can trust
      // (the same rule readTextSync applies); anything else is read and checked in full.
      const trusted =
        st.isFile() && (uid === undefined || ((st.uid === uid || st.uid === 0) && !(st.mode & 0o022)));
      if (known && trusted && sameIdentity(known.file, st)) {
        out.set(name, known);
        continue;
      }
      const text = readTextSync(file);
      if (text === undefined) continue;
      const spec = parseSpec(text) ?? known?.spec;
      if (!spec) {
        throw new UserError(
          `the applied spec of job ${name} is unreadable (${text.length} bytes, not valid JSON)`,
          'run `sched apply` again',
        );
      }
      out.set(name, { file: identityOf(st), spec });
    }
    this.known.set(project, new Map(out));
    return out;
  }

  /** Removes the spec only: run history and logs stay for `sched history`. */
  async remove(project: string, job: string): Promise<void> {
    removeSync(path.join(jobStateDir(this.root, project, job), APPLIED_SPEC_FILE));
    this.known.get(project)?.delete(job);
  }
}
