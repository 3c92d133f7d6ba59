/** How paths and values are named in messages, shared by the schema and meaning checks. */
import type { PathSegment } from './locate.js';

/** Human name of a path: `timeout in job 'backup'`, `defaults.overlap`, `command[0] in job 'x'`. */
export function describePath(p: readonly PathSegment[]): string {
  const fmt = (segs: readonly PathSegment[]) =>
    segs.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
  if (p[0] === 'jobs' && p.length >= 2) {
    const rest = p.slice(2);
    return rest.length ? `${fmt(rest)} in job '${String(p[1])}'` : `job '${String(p[1])}'`;
  }
  if (p.length === 0) return 'the file';
  return fmt(p);
}

/** A value quoted for a message: strings in single quotes (shortened), the rest in words. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? v.slice(0, 57) + '...' : v}'`;
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}
