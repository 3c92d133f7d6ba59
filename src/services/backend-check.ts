/**
 * What a backend cannot express (a schedule launchd cannot write exactly, `overlap: queue` on
 * Kubernetes…) as diagnostics at the job's position in schedules.yaml — shared by validate,
 * plan and render so the same problem reads the same everywhere. Differences a backend accepts
 * (`Backend.advisories`) come back as warnings; callers refuse only on errors.
 */
import type { Backend, RenderContext } from '../backends/types.js';
import type { Diagnostic } from '../config/diagnostic.js';
import type { Job, Project } from '../model/job.js';

export async function backendDiagnostics(
  backend: Backend,
  project: Project,
  contextFor: (job: Job) => RenderContext,
  source: string,
  displayName: string,
): Promise<Diagnostic[]> {
  const checked = project.jobs.filter((job) => job.enabled || backend.registersPausedJobs);
  const problems: { job: Job; problem: string; severity: 'error' | 'warning' }[] = [];
  for (const job of checked) {
    const ctx = contextFor(job);
    for (const problem of backend.check(job, ctx)) problems.push({ job, problem, severity: 'error' });
    for (const problem of backend.advisories?.(job, ctx) ?? [])
      problems.push({ job, problem, severity: 'warning' });
  }
  for (const { job: name, problem } of backend.checkProject?.(checked) ?? []) {
    const job = checked.find((j) => j.name === name);
    if (job) problems.push({ job, problem, severity: 'error' });
  }
  if (problems.length === 0) return [];
  // Positions only when there is something to point at: locating re-reads the whole file.
  const { locateJobs } = await import('./locate.js');
  const where = locateJobs(
    source,
    problems.map((p) => p.job.name),
  );
  const out: Diagnostic[] = [];
  for (const { job, problem, severity } of problems) {
    const at = where.get(job.name) ?? { line: 1, col: 1 };
    // Backends phrase a fix as "… Hint: …"; diagnostics carry it separately.
    const [text, hint] = problem.split(/[.;]?\s+Hint: /, 2) as [string, string | undefined];
    const d: Diagnostic = {
      file: displayName,
      line: at.line,
      col: at.col,
      severity,
      code: `backend-${backend.name}`,
      message: text.startsWith(`job '${job.name}' `)
        ? text
        : severity === 'error'
          ? `job '${job.name}' cannot run on ${backend.name}: ${text}`
          : `job '${job.name}' on ${backend.name}: ${text}`,
    };
    if (hint) d.hint = hint;
    out.push(d);
  }
  return out;
}
