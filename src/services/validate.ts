/**
 * `sched validate` as a service: load and check one schedules file. No flags, no printing; the
 * command renders the result.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { backendSettings, createBackend } from '../backends/registry.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../config/diagnostic.js';
import { loadProject, type LoadOptions } from '../config/load.js';
import { missingSchedulesFile, UserError } from '../errors.js';
import type { Project } from '../model/job.js';
import { defaultHost, hostOptions, renderContext } from './host.js';
import { backendDiagnostics } from './backend-check.js';

export interface ValidateOptions extends LoadOptions {
  /**
   * Also ask the backend named in the file (not `auto`) whether it can express every enabled job
   * exactly. Default: true.
   */
  checkBackend?: boolean;
}

export interface ValidateResult {
  /** The file as named in diagnostics. */
  file: string;
  valid: boolean;
  /** Sorted by position; may hold warnings when valid. */
  diagnostics: Diagnostic[];
  /** The file's text (for quoting lines in diagnostics). */
  source?: string;
  /** The resolved project, when valid. */
  project?: Project;
}

/**
 * Validates `file` (default `./schedules.yaml`). A missing file or a directory is a
 * {@link UserError}, not a diagnostic: there is nothing to point at.
 */
export async function validateFile(
  file = 'schedules.yaml',
  options: ValidateOptions = {},
): Promise<ValidateResult> {
  const display = options.displayName ?? (path.isAbsolute(file) ? file : path.normalize(file));
  try {
    const st = await stat(file);
    if (st.isDirectory())
      throw new UserError(
        `${display} is a directory`,
        `pass the schedules file: -f ${path.join(display, 'schedules.yaml')}`,
      );
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw missingSchedulesFile(display);
    throw new UserError(`cannot read ${display}: ${code ?? (err as Error).message}`);
  }
  const result = await loadProject(file, {
    backendSettings: backendSettings(),
    ...options,
    displayName: display,
  });
  let diagnostics = result.diagnostics;
  if (result.project && options.checkBackend !== false && result.source !== undefined)
    diagnostics = sortDiagnostics([
      ...diagnostics,
      ...(await backendProblems(result.project, result.source, display)),
    ]);
  const valid = !hasErrors(diagnostics);
  const out: ValidateResult = { file: display, valid, diagnostics };
  if (result.source !== undefined) out.source = result.source;
  if (result.project && valid) out.project = result.project;
  return out;
}

/**
 * What the file's backend cannot express (a schedule launchd cannot write exactly, `overlap:
 * queue` on Kubernetes…), at the job's position. Host-independent on purpose, so that CI on
 * another machine gives the same answer: each job is checked as if the host ran in the job's
 * own zone; whether the real host's zone suits crontab or launchd is `plan`'s business.
 */
async function backendProblems(project: Project, source: string, display: string): Promise<Diagnostic[]> {
  if (project.backend === 'auto') return [];
  const host = defaultHost();
  const backend = await createBackend(project.backend, hostOptions(host));
  const base = renderContext(host);
  return await backendDiagnostics(
    backend,
    project,
    (job) => ({ ...base, hostTimezone: job.timezone }),
    source,
    display,
  );
}
