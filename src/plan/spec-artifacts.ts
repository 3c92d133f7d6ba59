/**
 * The applied spec as an artifact. Native entries only call `sched run PROJECT JOB`; the command,
 * env, timeout… live in the spec `sched run` reads. Treating the spec as one more artifact makes a
 * changed command show in the plan and get applied like any native change.
 */
import { contentHash } from '../backends/header.js';
import type { BackendName, Job } from '../model/job.js';
import { APPLIED_SPEC_FORMAT, type AppliedSpec, type SpecCapabilities } from '../state/applied.js';
import type { DesiredArtifact, FoundArtifact } from './compute.js';

export const SPEC_KIND = 'applied spec';

export function specArtifactId(job: string): string {
  return `spec:${job}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * The spec artifact's content: one `field: <JSON>` line per field of the resolved job (plus the
 * backend), sorted — so a plan diff shows exactly the fields that change, and the content reads
 * back losslessly.
 */
function specBody(backend: BackendName, job: Job): string {
  const fields: Record<string, unknown> = { backend, ...job };
  return Object.keys(fields)
    .sort()
    .filter((key) => fields[key] !== undefined)
    .map((key) => `${key}: ${JSON.stringify(sortKeys(fields[key]))}\n`)
    .join('');
}

function parseSpecBody(content: string): { backend: BackendName; job: Job } {
  const fields: Record<string, unknown> = {};
  for (const line of content.split('\n')) {
    if (!line) continue;
    const colon = line.indexOf(': ');
    fields[line.slice(0, colon)] = JSON.parse(line.slice(colon + 2));
  }
  const { backend, ...job } = fields;
  return { backend: backend as BackendName, job: job as unknown as Job };
}

export function desiredSpecArtifact(backend: BackendName, job: Job): DesiredArtifact {
  const content = specBody(backend, job);
  return {
    id: specArtifactId(job.name),
    job: job.name,
    kind: SPEC_KIND,
    content,
    hash: contentHash(content),
    target: 'state',
  };
}

export function installedSpecArtifact(spec: AppliedSpec): FoundArtifact {
  const content = specBody(spec.backend, spec.job);
  const hash = contentHash(content);
  return {
    id: specArtifactId(spec.job.name),
    job: spec.job.name,
    kind: SPEC_KIND,
    content,
    recordedHash: hash,
    actualHash: hash,
    registered: true,
    target: 'state',
  };
}

/**
 * The spec to write for a desired spec artifact (parsed back from its content), with what the
 * run path needs to know about its backend (`capabilitiesOf`: the backend's provider). The
 * capabilities are not part of the artifact's content: they follow from the backend, which is.
 */
export function specFromArtifact(
  content: string,
  sourceFile: string,
  now: Date,
  capabilitiesOf: (backend: BackendName, job: Job) => SpecCapabilities,
): AppliedSpec {
  const { backend, job } = parseSpecBody(content);
  return {
    format_version: APPLIED_SPEC_FORMAT,
    backend,
    appliedAt: now.toISOString(),
    sourceFile,
    job,
    capabilities: capabilitiesOf(backend, job),
  };
}
