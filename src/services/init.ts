/**
 * `sched init`: writes a commented starter schedules.yaml (with the schema modeline) and never
 * overwrites an existing file. No printing: the command says what was written.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { isValidProjectName, slugifyProjectName, type BackendChoice } from '../model/job.js';
import { schemaReference, starterYaml } from '../config/starter.js';
import { providerOf, selectBackend } from '../backends/registry.js';
import { defaultHost, hostOptions } from './host.js';

export interface InitOptions {
  /** The file to create, as the user wrote it (relative to the working directory). */
  file: string;
  /** Default: the folder name, slugified. */
  project?: string;
  /** Default: auto (then the backend auto picks here is detected, for the message). */
  backend?: string;
}

export interface InitResult {
  project: string;
  backend: BackendChoice;
  /** What `auto` picks on this host, in words; undefined when a backend was named or detection failed. */
  detected?: string;
}

/** Which backend `auto` picks here, in words; undefined when detection fails or takes too long. */
async function detectBackend(): Promise<string | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000).unref());
  const detect = selectBackend('auto', hostOptions(defaultHost()))
    .then((s) => `${s.backend.name} (${s.reason.replace(/^auto: /, '')})`)
    .catch(() => undefined);
  return Promise.race([detect, timeout]);
}

/** Writes the starter file; a UserError when it exists, its folder does not, or a name is invalid. */
export async function initSchedulesFile(opts: InitOptions): Promise<InitResult> {
  const file = path.resolve(opts.file);
  const dir = path.dirname(file);
  const project = opts.project ?? slugifyProjectName(path.basename(dir));
  if (!isValidProjectName(project))
    throw new UserError(
      `invalid project name '${project}'`,
      "use 1-63 lower-case letters, digits and '-', starting with a letter or digit",
    );
  const backend = (opts.backend ?? 'auto') as BackendChoice;
  const detected = opts.backend === undefined ? await detectBackend() : undefined;
  const backendSettings = backend === 'auto' ? undefined : providerOf(backend).starterSettings;
  const text = starterYaml({ project, backend, schemaRef: schemaReference(dir), detected, backendSettings });
  let handle;
  try {
    // 'wx': create, and fail if the file exists — no check-then-write race.
    handle = await open(file, 'wx', 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new UserError(`${opts.file} already exists; not overwriting it`, 'edit it, or pass -f NEW-FILE');
    if (code === 'ENOENT') throw new UserError(`folder ${path.dirname(opts.file)} does not exist`);
    throw new UserError(`cannot create ${opts.file}: ${code ?? (err as Error).message}`);
  }
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
  return { project, backend, detected };
}
