/**
 * What a backend cannot express (a schedule launchd cannot write exactly, `overlap: queue` on
 * Kubernetes…) as diagnostics at the job's position in schedules.yaml — shared by validate,
 * plan and render so the same problem reads the same everywhere.
 */
import type { Backend, RenderContext } from '../backends/types.js';
import type { Diagnostic } from '../config/diagnostic.js';
import type { Job, Project } from '../model/job.js';
import { locateJobs } from './locate.js';

export function backendDiagnostics(
  backend: Backend,
  project: Project,
  contextFor: (job: Job) => RenderContext,
  source: string,
  displayName: string,
): Diagnostic[] {
  const where = locateJobs(
    source,
    project.jobs.map((j) => j.name),
  );
  const out: Diagnostic[] = [];
  for (const job of project.jobs) {
    if (!job.enabled && !backend.registersPausedJobs) continue;
    for (const problem of backend.check(job, contextFor(job))) {
      const at = where.get(job.name) ?? { line: 1, col: 1 };
      // Backends phrase a fix as "… Hint: …"; diagnostics carry it separately.
      const [text, hint] = problem.split(/[.;]?\s+Hint: /, 2) as [string, string | undefined];
      const d: Diagnostic = {
        file: displayName,
        line: at.line,
        col: at.col,
        severity: 'error',
        code: `backend-${backend.name}`,
        message: text.startsWith(`job '${job.name}' `)
          ? text
          : `job '${job.name}' cannot run on ${backend.name}: ${text}`,
      };
      if (hint) d.hint = hint;
      out.push(d);
    }
  }
  return out;
}
