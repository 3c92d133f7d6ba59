/**
 * Reads the embedded records of all projects (or the chosen ones) below `<stateRoot>/embedded/`.
 * A record that is unreadable, foreign or malformed is reported, never fatal: one bad file must
 * not stop the other jobs from firing.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isValidProjectName } from '../model/job.js';
import { NodeDirFs } from '../platform/node.js';
import { jobFromFileName, parseRecord } from '../backends/embedded/record.js';
import type { LoadResult } from './daemon.js';
import { embeddedRoot } from './lock.js';

/** The project directories below `<stateRoot>/embedded/` (real directories with a valid project name). */
export async function listEmbeddedProjects(stateRoot: string): Promise<string[]> {
  const entries = await readdir(embeddedRoot(stateRoot), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.isSymbolicLink() && isValidProjectName(e.name))
    .map((e) => e.name)
    .sort();
}

/** Loads every usable record; `projects` limits the projects read (undefined: all). */
export async function loadEmbeddedJobs(stateRoot: string, projects?: readonly string[]): Promise<LoadResult> {
  const result: LoadResult = { jobs: [], problems: [] };
  const names =
    projects && projects.length > 0 ? [...projects].sort() : await listEmbeddedProjects(stateRoot);
  for (const project of names) {
    const dir = new NodeDirFs(path.join(embeddedRoot(stateRoot), project), 0o700);
    for (const entry of await dir.list()) {
      const job = jobFromFileName(entry.name);
      if (!job) continue;
      const file = path.join(dir.root, entry.name);
      if (entry.isSymlink || !entry.isFile) {
        result.problems.push({ file, problem: 'not a regular file (ignored)' });
        continue;
      }
      let text: string | undefined;
      try {
        text = await dir.read(entry.name);
      } catch (e) {
        result.problems.push({ file, problem: (e as Error).message });
        continue;
      }
      if (text === undefined) continue; // removed between list and read
      const parsed = parseRecord(text, project, job);
      if (!parsed.body) {
        result.problems.push({ file, problem: parsed.problem ?? 'unusable record' });
        continue;
      }
      result.jobs.push({
        project,
        name: job,
        schedule: parsed.body.schedule,
        timezone: parsed.body.timezone,
      });
    }
  }
  return result;
}
