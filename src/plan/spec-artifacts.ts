/**
 * The applied spec as an artifact. Native entries only call `sched run PROJECT JOB`; the command,
 * env, timeout… live in the spec `sched run` reads. Treating the spec as one more artifact makes a
 * changed command show in the plan and get applied like any native change.
 */
import { contentHash } from '../backends/header.js';
import type { BackendName, Job } from '../model/job.js';
import type { AppliedSpec } from '../state/applied.js';
import type { DesiredArtifact, FoundArtifact } from './compute.js';

export const SPEC_KIND = 'applied spec';

export function specArtifactId(job: string): string {
  return `spec:${job}`;
}

/** JSON with sorted keys, so that the same job always gives the same bytes and hash. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
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

/** What the spec artifact's content is made of: the backend and the resolved job. */
function specBody(backend: BackendName, job: Job): string {
  return stableJson({ backend, job });
}

export function desiredSpecArtifact(backend: BackendName, job: Job): DesiredArtifact {
  const content = specBody(backend, job);
  return { id: specArtifactId(job.name), job: job.name, kind: SPEC_KIND, content, hash: contentHash(content), target: 'state' };
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

/** The spec to write for a desired spec artifact (parsed back from its content). */
export function specFromArtifact(content: string, sourceFile: string, now: Date): AppliedSpec {
  const { backend, job } = JSON.parse(content) as { backend: BackendName; job: Job };
  return { format_version: 1, backend, appliedAt: now.toISOString(), sourceFile, job };
}
