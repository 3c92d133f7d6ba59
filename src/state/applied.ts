/**
 * The applied spec: what `apply` installed for a job, written to the state dir so that
 * `sched run` uses exactly that — never the repository's YAML, which may be edited but not applied.
 */
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { BackendName, Job } from '../model/job.js';
import { NodeDirFs } from '../platform/node.js';
import { ensureDirSync, readTextSync } from './files.js';
import { jobStateDir, projectStateDir } from './paths.js';

function listDirSync(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export const APPLIED_SPEC_FILE = 'spec.json';

export interface AppliedSpec {
  format_version: 1;
  backend: BackendName;
  appliedAt: string;
  /** The schedules.yaml the job came from. */
  sourceFile: string;
  job: Job;
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
    for (const dir of dirs) ensureDirSync(dir, this.root);
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
    const text = await new NodeDirFs(jobStateDir(this.root, project, job)).read(APPLIED_SPEC_FILE);
    return text === undefined ? undefined : (JSON.parse(text) as AppliedSpec);
  }

  /**
   * All applied specs of a project (jobs whose spec file exists). Synchronous reads on purpose:
   * a plan reads one small file per job, and for 1,000 jobs promise overhead dominates.
   */
  async list(project: string): Promise<AppliedSpec[]> {
    const jobsDir = path.join(projectStateDir(this.root, project), 'jobs');
    const specs: AppliedSpec[] = [];
    for (const name of listDirSync(jobsDir).sort()) {
      const text = readTextSync(path.join(jobsDir, name, APPLIED_SPEC_FILE));
      if (text) specs.push(JSON.parse(text) as AppliedSpec);
    }
    return specs;
  }

  /** Removes the spec only: run history and logs stay for `sched history`. */
  async remove(project: string, job: string): Promise<void> {
    await rm(path.join(jobStateDir(this.root, project, job), APPLIED_SPEC_FILE), { force: true });
  }
}
