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

/** An array index (`0`, `17`): a JS object lists these first, in numeric order, whatever the insertion order. */
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;
const isArrayIndex = (key: string) => ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;

/** The keys in the order an object built by inserting them sorted would list them. */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value).sort();
  if (!keys.some(isArrayIndex)) return keys;
  return [
    ...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)),
    ...keys.filter((k) => !isArrayIndex(k)),
  ];
}

/**
 * JSON with every object's keys sorted and undefined members left out — what
 * `JSON.stringify` of a key-sorted copy gives, written directly (a plan of 1,000 jobs makes
 * 2,000 spec bodies; the copies were most of their cost).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v) ?? 'null').join(',')}]`;
  if (value && typeof value === 'object') {
    const parts: string[] = [];
    for (const key of sortedKeys(value)) {
      // The copy's `__proto__` assignment set no member: the key never showed.
      const v = key === '__proto__' ? undefined : (value as Record<string, unknown>)[key];
      const text = v === undefined ? undefined : canonicalJson(v);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The spec artifact's content: one `field: <JSON>` line per field of the resolved job (plus the
 * backend), sorted — so a plan diff shows exactly the fields that change, and the content reads
 * back losslessly.
 */
function specBody(backend: BackendName, job: Job): string {
  const fields: Record<string, unknown> = { backend, ...job };
  let body = '';
  for (const key of Object.keys(fields).sort()) {
    const text = fields[key] === undefined ? undefined : canonicalJson(fields[key]);
    if (text !== undefined) body += `${key}: ${text}\n`;
  }
  return body;
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
