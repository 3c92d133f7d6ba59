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

export interface AppliedSpec {
  format_version: 1;
  backend: BackendName;
  appliedAt: string;
  /** The schedules.yaml the job came from. */
  sourceFile: string;
  job: Job;
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
    return JSON.parse(text) as AppliedSpec;
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
  async writeMany(
    specs: readonly AppliedSpec[],
    onWritten: (spec: AppliedSpec, index: number) => void = () => {},
    concurrency = 16,
  ): Promise<void> {
    const dirs = specs.map((spec) => jobStateDir(this.root, spec.job.project, spec.job.name));
    // The state root's parent is the base, so a state root that is a symlink is refused too.
    for (const dir of dirs) {
      ensureDirSync(dir, path.dirname(this.root));
      removeStaleSpecTemps(dir);
    }
    let next = 0;
    let written = 0;
    const worker = async () => {
      for (let i = next++; i < specs.length; i = next++) {
        await new NodeDirFs(dirs[i]!, 0o700).write(
          APPLIED_SPEC_FILE,
          JSON.stringify(specs[i], null, 2) + '\n',
          0o600,
        );
        onWritten(specs[i]!, written++);
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
      if (text) specs.push(JSON.parse(text) as AppliedSpec);
    }
    return specs;
  }

  /** Removes the spec only: run history and logs stay for `sched history`. */
  async remove(project: string, job: string): Promise<void> {
    removeSync(path.join(jobStateDir(this.root, project, job), APPLIED_SPEC_FILE));
  }
}
