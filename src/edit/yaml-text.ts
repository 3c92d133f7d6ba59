/**
 * The one layout-preserving text editor of schedules.yaml, shared by `sched add/pause/resume/remove`
 * (src/services/edit.ts) and `sched import --write` (src/import/yaml.ts).
 *
 * It splices text at the ranges the yaml Document API gives, so every byte it does not mean to
 * change stays: comments, blank lines, quoting, indentation. It knows nothing of what a job
 * holds: each caller renders its own job lines and passes its differences as named options.
 * It never throws for a layout it cannot splice: it says why ({@link Unsupported}) and the caller
 * decides (edit re-serialises the document, import refuses with its own wording). Pure.
 */
import { isMap, isScalar, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

// ---------------------------------------------------------------------------------------------
// Text helpers

/** The offset where the line holding `offset` starts. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just after the newline that ends the line holding `offset` (or the text's end). */
export function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/** The column of `offset` on its line. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The line starting at `start` (without its newline), or undefined at the end of the text. */
export function lineAt(text: string, start: number): string | undefined {
  if (start >= text.length) return undefined;
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
}

export const isBlank = (line: string | undefined): boolean => line !== undefined && line.trim() === '';
export const isComment = (line: string | undefined): boolean => line !== undefined && /^\s*#/.test(line);
export const indentOf = (line: string): number => line.length - line.trimStart().length;

/**
 * End of a block node's own text: past the line holding its value's end, and past the comment
 * lines right below indented at least `minIndent` (they are written under it, so they belong to it).
 */
export function blockEnd(text: string, valueEnd: number, minIndent: number): number {
  let end = lineEnd(text, Math.max(0, valueEnd - 1));
  for (;;) {
    const line = lineAt(text, end);
    if (line === undefined || !isComment(line) || indentOf(line) < minIndent) return end;
    end = lineEnd(text, end);
  }
}

/** The offset where a pair's text ends (its value's, else its key's), or undefined without ranges. */
export function pairEnd(pair: Pair | undefined): number | undefined {
  return (pair?.value as Node | null | undefined)?.range?.[1] ?? (pair?.key as Node | undefined)?.range?.[1];
}

/**
 * Inserts `insert` (whole lines) after a block map's last pair. With `afterTrailingComments`, the
 * comment lines indented at least `minIndent` right below the last pair stay with it (the insert
 * goes after them); without, the insert goes right after the pair's last line.
 */
export function appendToBlockMap(
  source: string,
  map: YAMLMap,
  minIndent: number,
  insert: string,
  afterTrailingComments = true,
): string | undefined {
  const end = pairEnd(map.items[map.items.length - 1]);
  if (end === undefined) return undefined;
  const at = afterTrailingComments ? blockEnd(source, end, minIndent) : lineEnd(source, Math.max(0, end - 1));
  const before = source.slice(0, at);
  return before + (before.endsWith('\n') ? '' : '\n') + insert + source.slice(at);
}

// ---------------------------------------------------------------------------------------------
// Appending jobs under `jobs:`

/** Where the new job lines go: the column of the job keys, and the indentation step inside a job. */
export interface JobLayout {
  /** Column of the job names (the keys of `jobs:`). */
  indent: number;
  /** One indentation step inside a job, as the file writes it (e.g. two or four spaces). */
  step: string;
}

/** The caller's job renderer: whole lines, each ending in `\n`, job names at `layout.indent`. */
export type RenderJobs = (layout: JobLayout) => string;

/** How the two callers differ, named. */
export interface AppendJobsOptions {
  /**
   * A blank line before the new jobs when `jobs:` already has some: `always` (import: its jobs
   * come with comments above them), or `when-spaced` (edit: only when the file already separates
   * its jobs by blank lines).
   */
  blankLineBefore: 'always' | 'when-spaced';
  /**
   * Comment lines indented under the last job belong to it, so the new jobs go after them (edit);
   * false puts the new jobs right after the last job's last value line (import).
   */
  afterTrailingComments: boolean;
  /**
   * `jobs: ~` / `jobs: null` (an explicit null): `fill` it like an empty `jobs:` (edit), or
   * `unsupported` (import treats it as a value that is not a mapping).
   */
  explicitNullJobs: 'fill' | 'unsupported';
  /**
   * No `jobs:` key at all: `append` one at the end of the file (import), or `unsupported`
   * (edit re-serialises the document instead).
   */
  missingJobsKey: 'append' | 'unsupported';
}

/** Why the text could not be spliced; the caller picks its own answer and wording. */
export type Unsupported =
  | 'no-jobs-key'
  | 'top-level-not-mapping'
  | 'top-level-flow'
  | 'jobs-not-mapping'
  | 'jobs-flow'
  | 'jobs-nested'
  | 'no-ranges';

export type AppendJobsResult = { text: string } | { unsupported: Unsupported };

/** Indentation inside a job, from any block-style job of `jobs`, else `fallback`. */
function jobStep(source: string, jobs: YAMLMap, fallback: string): string {
  for (const item of jobs.items) {
    const v = item.value;
    if (
      isMap(v) &&
      !v.flow &&
      v.items[0] &&
      isScalar(v.items[0].key) &&
      v.items[0].key.range &&
      isScalar(item.key) &&
      item.key.range
    ) {
      const d = columnOf(source, v.items[0].key.range[0]) - columnOf(source, item.key.range[0]);
      if (d > 0) return ' '.repeat(d);
    }
  }
  return fallback;
}

/** The layout of a first job: two spaces, as `sched init` writes it. */
const FIRST_JOB: JobLayout = { indent: 2, step: '  ' };

/**
 * The first jobs of an empty top-level `jobs:` (no value, `{}`, or an explicit null when the
 * caller fills it): the lines go right under the key. A value written on the key's line is
 * dropped, and a comment after it kept; a key line with no value stays byte for byte.
 */
function intoEmptyJobs(
  source: string,
  pair: Pair<Node, Node | null>,
  render: RenderJobs,
  options: AppendJobsOptions,
): AppendJobsResult | undefined {
  const value = pair.value;
  const noValue = value === null || (isScalar(value) && value.value == null && !value.source);
  const explicitNull = !noValue && isScalar(value) && value.value === null;
  const emptyFlow = isMap(value) && value.flow && value.items.length === 0;
  if (explicitNull && options.explicitNullJobs === 'unsupported') return { unsupported: 'jobs-not-mapping' };
  if (!noValue && !explicitNull && !emptyFlow) return undefined;
  const key = pair.key.range;
  if (!key) return { unsupported: 'no-ranges' };
  if (columnOf(source, key[0]) !== 0) return { unsupported: 'jobs-nested' };
  const keyLineEnd = lineEnd(source, key[0]);
  const lines = render(FIRST_JOB);
  if (!noValue && value?.range && value.range[0] < keyLineEnd) {
    // `jobs: {}` or `jobs: ~` on the key's line: drop the value, keep a trailing comment.
    const afterValue = source.slice(value.range[1], keyLineEnd).replace(/\r?\n$/, '');
    const head = source.slice(0, value.range[0]).replace(/[ \t]+$/, '');
    const comment = afterValue.trim() ? ` ${afterValue.trim()}` : '';
    return { text: head + comment + '\n' + lines + source.slice(keyLineEnd) };
  }
  const before = source.slice(0, keyLineEnd);
  return { text: before + (before.endsWith('\n') ? '' : '\n') + lines + source.slice(keyLineEnd) };
}

/**
 * `source` with the jobs `render` writes appended under its top-level `jobs:`, every other byte
 * kept. `doc` is `source` parsed (without errors). The caller checks names and verifies the
 * result means what it should; this only places the lines.
 */
export function appendJobsText(
  source: string,
  doc: Document,
  render: RenderJobs,
  options: AppendJobsOptions,
): AppendJobsResult {
  if (!isMap(doc.contents)) return { unsupported: 'top-level-not-mapping' };
  const top = doc.contents;
  const pair = top.items.find((p) => isScalar(p.key) && p.key.value === 'jobs') as
    Pair<Node, Node | null> | undefined;
  if (!pair) {
    if (options.missingJobsKey === 'unsupported') return { unsupported: 'no-jobs-key' };
    if (top.flow) return { unsupported: 'top-level-flow' };
    const text = source.endsWith('\n') || source === '' ? source : `${source}\n`;
    return { text: `${text}jobs:\n${render(FIRST_JOB)}` };
  }
  if (top.flow) return { unsupported: 'top-level-flow' };
  const empty = intoEmptyJobs(source, pair, render, options);
  if (empty) return empty;
  const jobs = pair.value;
  if (!isMap(jobs)) return { unsupported: 'jobs-not-mapping' };
  if (jobs.flow) return { unsupported: 'jobs-flow' };
  const firstKey = jobs.items[0]?.key as Node | undefined;
  if (!firstKey?.range) return { unsupported: 'no-ranges' };
  const col = columnOf(source, firstKey.range[0]);
  const lines = render({ indent: col, step: jobStep(source, jobs, col > 0 ? ' '.repeat(col) : '  ') });
  const blank =
    options.blankLineBefore === 'always' ||
    jobs.items.slice(1).some((p) => (p.key as Node | undefined)?.spaceBefore);
  const text = appendToBlockMap(
    source,
    jobs,
    col + 1,
    (blank ? '\n' : '') + lines,
    options.afterTrailingComments,
  );
  return text === undefined ? { unsupported: 'no-ranges' } : { text };
}

// ---------------------------------------------------------------------------------------------
// Removing a job, setting and dropping one of its keys

/**
 * `source` without the job `pair` of the block map `jobs`: its lines, the comment lines right
 * above it (same column, no blank line between: they describe it) and the comment lines indented
 * under it. A blank line that would double up with the one before it goes too. Undefined when
 * the layout cannot be spliced (flow `jobs`, the only job, no ranges).
 */
export function removeJobText(source: string, jobs: YAMLMap, pair: Pair): string | undefined {
  const keyRange = (pair.key as Node | null)?.range;
  if (jobs.flow || !keyRange || jobs.items.length <= 1) return undefined;
  const col = columnOf(source, keyRange[0]);
  let start = lineStart(source, keyRange[0]);
  for (;;) {
    if (start === 0) break;
    const prevStart = lineStart(source, start - 1);
    const prev = lineAt(source, prevStart);
    if (!isComment(prev) || indentOf(prev!) !== col) break;
    start = prevStart;
  }
  let end = blockEnd(source, pairEnd(pair)!, col + 1);
  const prevLine = start > 0 ? lineAt(source, lineStart(source, start - 1)) : undefined;
  if ((prevLine === undefined || isBlank(prevLine)) && isBlank(lineAt(source, end)))
    end = lineEnd(source, end);
  return source.slice(0, start) + source.slice(end);
}

function findPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node | null> | undefined;
}

/**
 * `source` with `key: valueText` in the job map `job`: the value replaced in place when the key
 * is there, else a new line after the job's last one (and the comments indented under it), at
 * the column of its keys. `valueText` is YAML as written. Undefined for a flow map or no ranges.
 */
export function setKeyText(source: string, job: YAMLMap, key: string, valueText: string): string | undefined {
  const valueRange = findPair(job, key)?.value?.range;
  if (valueRange) return source.slice(0, valueRange[0]) + valueText + source.slice(valueRange[1]);
  const firstKey = job.items[0]?.key as Node | undefined;
  if (job.flow || !firstKey?.range) return undefined;
  const col = columnOf(source, firstKey.range[0]);
  return appendToBlockMap(source, job, col, `${' '.repeat(col)}${key}: ${valueText}\n`);
}

/**
 * `source` without the line of `key` in the job map `job`. Undefined when the key is absent, the
 * map is flow-style, or the pair does not have its line to itself.
 */
export function deleteKeyText(source: string, job: YAMLMap, key: string): string | undefined {
  const pair = findPair(job, key);
  const k = pair?.key.range;
  const v = pair?.value?.range;
  if (job.flow || !k || !v) return undefined;
  const start = lineStart(source, k[0]);
  if (source.slice(start, k[0]).trim() !== '') return undefined;
  return source.slice(0, start) + source.slice(lineEnd(source, Math.max(k[0], v[1] - 1)));
}
