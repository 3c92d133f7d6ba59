/**
 * The ownership header every artifact carries: project, job and a hash of what sched rendered.
 * A hand edit changes the body but not the recorded hash, so the plan can tell "edited by hand"
 * from "changed in the file".
 */
import { createHash } from 'node:crypto';

export interface Ownership {
  project: string;
  job: string;
  hash: string;
}

/** Hash of an artifact body: sha256, first 16 hex digits, prefixed for readability. */
export function contentHash(body: string): string {
  return 'sha256:' + createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 16);
}

/** The header text (without comment syntax): `sched-managed project=P job=J hash=H`. */
export function formatOwnership(o: Ownership): string {
  return `sched-managed project=${o.project} job=${o.job} hash=${o.hash}`;
}

const OWNERSHIP_PATTERN = /sched-managed project=([a-z0-9-]+) job=([a-z0-9-]*) hash=(sha256:[0-9a-f]{16})/;

/** Finds an ownership header anywhere in `text`; undefined when there is none. */
export function parseOwnership(text: string): Ownership | undefined {
  const m = OWNERSHIP_PATTERN.exec(text);
  if (!m) return undefined;
  return { project: m[1]!, job: m[2]!, hash: m[3]! };
}
