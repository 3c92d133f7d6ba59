/**
 * Which project a `sched run/history/logs` invocation is about: `--project`, else the `project:`
 * of the schedules file (`-f`, default ./schedules.yaml). The YAML is only read in that fallback
 * (and the loader imported lazily): scheduled runs always pass `--project`.
 */
import path from 'node:path';
import { missingSchedulesFile, UserError } from '../errors.js';
import { isValidJobName, isValidProjectName } from '../model/job.js';
import { fileIdentity, rememberedProject, rememberProject } from '../state/project-of-file.js';

export function checkProjectName(project: string): string {
  if (!isValidProjectName(project)) {
    throw new UserError(
      `invalid project name '${project}'`,
      'project names are lower-case letters, digits and -, starting with a letter or digit (at most 63)',
    );
  }
  return project;
}

export function checkJobName(job: string): string {
  if (!isValidJobName(job)) {
    throw new UserError(
      `invalid job name '${job}'`,
      'job names are lower-case letters, digits and -, starting with a letter or digit (at most 63)',
    );
  }
  return job;
}

export async function resolveProjectName(opts: {
  project?: string;
  file?: string;
  cwd?: string;
  /** sched's state root: the project a file names is remembered there (state/project-of-file.ts). */
  stateRoot?: string;
}): Promise<string> {
  if (opts.project) return checkProjectName(opts.project);
  const file = path.resolve(opts.cwd ?? process.cwd(), opts.file ?? 'schedules.yaml');
  const remembered = opts.stateRoot && rememberedProject(opts.stateRoot, file);
  if (remembered) return checkProjectName(remembered);
  const before = fileIdentity(file);
  const { FILE_NOT_FOUND, loadProject } = await import('../config/load.js');
  const loaded = await loadProject(file, { checkFilesystem: false });
  if (!loaded.project) {
    if (loaded.diagnostics.some((d) => d.code === 'read-error' && d.message === FILE_NOT_FOUND))
      throw missingSchedulesFile(
        opts.file ?? 'schedules.yaml',
        'Give the project with --project NAME, or the path of its schedules file with -f FILE.',
      );
    const first = loaded.diagnostics.find((d) => d.severity === 'error');
    throw new UserError(
      `cannot tell the project from ${file}${first ? `: ${first.message}` : ''}`,
      'pass --project NAME, or -f FILE pointing to a valid schedules.yaml (check it with `sched validate`)',
    );
  }
  const name = checkProjectName(loaded.project.name);
  if (opts.stateRoot) rememberProject(opts.stateRoot, file, name, before);
  return name;
}
