/**
 * `sched render`: the native files for a backend, written to a directory without touching the
 * host — for review, GitOps and golden tests. Refuses (exit 1) when a job cannot be expressed
 * exactly on that backend, with the job's position in schedules.yaml.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createBackend } from '../backends/registry.js';
import type { RenderedFile } from '../backends/types.js';
import { fileSystemError, InvalidConfigError } from '../errors.js';
import type { BackendName } from '../model/job.js';
import { makeDirs } from '../platform/mkdirs.js';
import { assertPlainName } from '../platform/node.js';
import type { HostSettings } from './host.js';
import { hostOptions, renderContext } from './host.js';
import { backendDiagnostics } from './backend-check.js';
import { hasErrors, type Diagnostic } from '../config/diagnostic.js';
import { loadValidProject, type LoadedProject } from './plan.js';

export async function renderProjectFiles(
  file: string,
  backendName: BackendName,
  host: HostSettings,
  /** Receives what the backend accepts but differs in (e.g. clock changes on Kubernetes). */
  warnings: Diagnostic[] = [],
  loaded?: LoadedProject,
): Promise<RenderedFile[]> {
  const { project, source } = loaded ?? (await loadValidProject(path.resolve(file), host, file));
  const backend = await createBackend(backendName, hostOptions(host));
  const ctx = renderContext(host);
  const problems = await backendDiagnostics(backend, project, () => ctx, source, file);
  if (hasErrors(problems)) throw new InvalidConfigError(problems, source);
  warnings.push(...problems);
  const enabled = project.jobs.filter((j) => j.enabled);
  const registered = backend.registersPausedJobs ? project.jobs : enabled;
  const artifacts = [
    ...registered.flatMap((j) => backend.render(j, ctx)),
    ...(backend.renderProject?.(project.name, enabled, ctx) ?? []),
  ];
  return backend.renderFiles
    ? backend.renderFiles(project.name, artifacts)
    : artifacts.map((a) => ({ name: a.id, content: a.content }));
}

/**
 * Writes the files into `outDir` (created if needed); returns their paths. A folder that cannot
 * be made or written to is the user's to fix: a FileSystemError naming the path, never a bug.
 */
export async function writeRenderedFiles(files: RenderedFile[], outDir: string): Promise<string[]> {
  const hint = 'Give --out a folder you can write to (it is created if missing).';
  try {
    await makeDirs(outDir);
  } catch (e) {
    throw fileSystemError(e, 'create the --out folder', hint) ?? e;
  }
  const written: string[] = [];
  for (const f of files) {
    assertPlainName(f.name);
    const target = path.join(outDir, f.name);
    try {
      await writeFile(target, f.content);
    } catch (e) {
      throw fileSystemError(e, 'write', hint) ?? e;
    }
    written.push(target);
  }
  return written;
}

/** A job's native artifact as installed on the host now. */
export interface InstalledJobArtifact {
  backend: string;
  id: string;
  kind: string;
  content: string;
  /** Registered with the scheduler (timer enabled, agent loaded…). */
  registered: boolean;
}

/** A change `apply` would make to one of a job's artifacts: the drift from the file. */
export interface JobArtifactDrift {
  target: string;
  id: string;
  kind: string;
  action: string;
  reason: string;
  /** The text installed now ('' when missing). */
  before: string;
  /** The text sched would install ('' when it would delete). */
  after: string;
}

/**
 * What is installed for one job (unit, plist, crontab line, task XML, manifest, embedded
 * record) and how it differs from the file: the plan's changes for that job. For the dashboard's
 * job page; `source` is the schedules file, or an installed project read from its applied state.
 */
export async function jobNativeArtifacts(
  source: { file: string } | { project: string },
  job: string,
  host: HostSettings,
): Promise<{ installed: InstalledJobArtifact[]; drift: JobArtifactDrift[] }> {
  const { makePlan } = await import('./plan.js');
  const outcome = await makePlan('file' in source ? { file: source.file } : { file: '', ...source }, host);
  const installed: InstalledJobArtifact[] = [];
  for (const backend of outcome.backends.values()) {
    for (const a of await backend.readInstalled(outcome.project.name)) {
      if (a.job !== job) continue;
      installed.push({
        backend: backend.name,
        id: a.id,
        kind: a.kind,
        content: a.content,
        registered: a.registered,
      });
    }
  }
  const drift = (outcome.plan.jobs.find((j) => j.job === job)?.changes ?? []).map((c) => ({
    target: c.target,
    id: c.id,
    kind: c.kind,
    action: c.action,
    reason: c.reason,
    before: c.before?.content ?? '',
    after: c.after?.content ?? '',
  }));
  return { installed, drift };
}
