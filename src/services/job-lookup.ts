/**
 * What to say when a command names a job sched has no record of (`run`, `run-now`, `history`,
 * `logs`): a job that is in schedules.yaml but was never applied is told to apply; a name that is
 * in neither gets the close name (a typo), as `pause` and `remove` do, or the list of jobs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { suggest } from '../config/suggest.js';
import { checkJobName } from '../run/project.js';
import { jobStateDir, projectStateDir } from '../state/paths.js';

export interface JobLookup {
  /** sched's state directory. */
  root: string;
  project: string;
  job: string;
  /** The schedules file as the user gave it (default schedules.yaml), relative to `cwd`. */
  file?: string;
  cwd?: string;
  /** The jobs of the file when the caller has already loaded it. */
  fileJobs?: readonly string[];
}

/** True when sched holds a state directory for the job (it was applied, or has run). */
export function jobIsKnown(root: string, project: string, job: string): boolean {
  return fs.existsSync(jobStateDir(root, project, job));
}

/** Throws {@link unknownJobError} unless the job has a state directory. */
export async function assertJobKnown(lookup: JobLookup): Promise<void> {
  checkJobName(lookup.job); // before it becomes a path
  if (!jobIsKnown(lookup.root, lookup.project, lookup.job)) throw await unknownJobError(lookup);
}

/** The error for a job sched has no applied record of; reads the schedules file if it can. */
export async function unknownJobError(lookup: JobLookup): Promise<UserError> {
  const shown = lookup.file ?? 'schedules.yaml';
  const inFile = lookup.fileJobs ?? (await jobsOfFile(lookup));
  const { job, project } = lookup;
  if (inFile?.includes(job))
    return new UserError(
      `job ${job} is in ${shown} but has not been applied`,
      'Run `sched apply` first (sched runs and records what was applied, not the file as it is now).',
    );
  const known = [...new Set([...(inFile ?? []), ...appliedJobs(lookup.root, project)])].sort();
  const guess = suggest(job, known);
  const where = inFile ? shown : `project ${project}`;
  return new UserError(
    `no job ${job} in ${where}`,
    guess
      ? `Did you mean '${guess}'?`
      : known.length
        ? `Jobs of project ${project}: ${known.join(', ')}.`
        : `Project ${project} has no jobs here yet.`,
  );
}

/** The jobs applied for `project` on this host (names of their state directories). */
function appliedJobs(root: string, project: string): string[] {
  try {
    return fs.readdirSync(path.join(projectStateDir(root, project), 'jobs'));
  } catch {
    return [];
  }
}

/** The job names of the schedules file when it is readable and is `project`'s; else undefined. */
async function jobsOfFile(lookup: JobLookup): Promise<string[] | undefined> {
  const file = path.resolve(lookup.cwd ?? process.cwd(), lookup.file ?? 'schedules.yaml');
  if (!fs.existsSync(file)) return undefined;
  try {
    const { loadProject } = await import('../config/load.js');
    const loaded = await loadProject(file, { checkFilesystem: false });
    if (loaded.project?.name !== lookup.project) return undefined;
    return loaded.project.jobs.map((j) => j.name);
  } catch {
    return undefined;
  }
}
