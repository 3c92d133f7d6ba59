/**
 * Where sched keeps its state: `$SCHED_HOME`, else the platform's state directory.
 * Layout below the root: `projects/<project>/jobs/<job>/` (spec.json, last-run.json,
 * history.jsonl, run.log…), `projects/<project>/locks/`, and `cache/` (the loader's cache of
 * schedules files it has read, see load-cache.ts, and the project each file names, for `sched run`
 * by hand, see project-of-file.ts; safe to delete).
 */
import os from 'node:os';
import path from 'node:path';

export function stateRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (env.SCHED_HOME) return path.resolve(env.SCHED_HOME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'sched');
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'sched');
  return path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'sched');
}

export function projectStateDir(root: string, project: string): string {
  return path.join(root, 'projects', project);
}

export function jobStateDir(root: string, project: string, job: string): string {
  return path.join(projectStateDir(root, project), 'jobs', job);
}

export function logDir(root: string, project: string, job: string): string {
  return jobStateDir(root, project, job);
}

/** Where runs of a job with `overlap: queue` wait in line: `projects/<project>/locks/<job>.queue/`. */
export function queueDir(root: string, project: string, job: string): string {
  return path.join(projectStateDir(root, project), 'locks', `${job}.queue`);
}

/**
 * Where runs of a job with `overlap: replace` register on arrival, newest last:
 * `projects/<project>/locks/<job>.replace/`. A run that sees a newer one gives way to it.
 */
export function replaceLineDir(root: string, project: string, job: string): string {
  return path.join(projectStateDir(root, project), 'locks', `${job}.replace`);
}

/** The overlap lock of a job (held while a run is active): `projects/<project>/locks/<job>.lock`. */
export function lockFile(root: string, project: string, job: string): string {
  return path.join(projectStateDir(root, project), 'locks', `${job}.lock`);
}
