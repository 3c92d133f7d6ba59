/**
 * The YAML side of loading: parses the text with positions, reports YAML problems and the
 * schema's findings where they are in the file, and gives the document's data. Imported only
 * when a file is really parsed (a load from the cache needs none of it).
 */
import {
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  Scalar,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import { isObject, Reporter, type ScalarText } from './checks.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { isEmptyNode, locate, nodeStart, toPosition, type PathSegment } from './locate.js';
import { schemaErrors } from './schema.js';
import { describePath } from './words.js';

/** Collects diagnostics with positions resolved against one document. */
export class DocumentReporter extends Reporter {
  constructor(
    file: string,
    readonly lineCounter: LineCounter,
    readonly doc: Document,
    /** The decoded source text, for mapping offsets inside a scalar. */
    readonly text: string,
  ) {
    super(file);
  }

  protected override position(offset: number): { line: number; col: number } {
    return toPosition(this.lineCounter, offset);
  }

  protected override valueOffset(p: readonly PathSegment[]): number {
    const found = locate(this.doc, p);
    if (found.complete && !isEmptyNode(found.value)) return nodeStart(found.value) ?? 0;
    return nodeStart(found.key) ?? nodeStart(found.value) ?? 0;
  }

  protected override keyOffset(p: readonly PathSegment[]): number {
    const found = locate(this.doc, p);
    return nodeStart(found.key) ?? nodeStart(found.value) ?? 0;
  }

  override scalarText(p: readonly PathSegment[]): ScalarText | undefined {
    const found = locate(this.doc, p);
    const node = found.complete ? found.value : undefined;
    if (!isScalar(node) || !node.range) return undefined;
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    const start = quoted ? 1 : 0;
    return {
      start,
      text: this.text.slice(node.range[0] + start, node.range[1] - start),
      simple: quoted || node.type === Scalar.PLAIN,
    };
  }
}

/** A parsed file: the reporter placing diagnostics in it, its data and its job names in order. */
export interface Parsed {
  r: DocumentReporter;
  root: Record<string, unknown>;
  names: string[];
}

/**
 * Parses `source`: YAML problems and schema findings go to the returned reporter; `undefined`
 * data means the file cannot be read further (its diagnostics are final).
 */
export function parseSource(source: string, display: string): Parsed | { diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter,
    // yaml's own check compares each key with every earlier one (quadratic: 10,000 jobs took
    // seconds); reportDuplicates below finds the same keys in linear time, with positions.
    uniqueKeys: false,
    merge: true,
    prettyErrors: false,
    keepSourceTokens: false,
    // Warnings become diagnostics below; without this yaml also prints them to stderr.
    logLevel: 'error',
  });
  const r = new DocumentReporter(display, lineCounter, doc, source);
  reportYamlProblems(r, doc, source);
  const structural = doc.errors.length > 0;
  reportDuplicatesAndSizes(r, doc);
  if (structural) return { diagnostics: sortDiagnostics(dedupe(r.list)) };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    r.atOffset(
      0,
      'error',
      'empty-file',
      'the file is empty',
      'start from `sched init`, or write `version: 1` and a `jobs:` mapping',
    );
    return { diagnostics: sortDiagnostics(r.list) };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    r.atOffset(0, 'error', 'yaml', `cannot read the document: ${(err as Error).message}`);
    return { diagnostics: sortDiagnostics(r.list) };
  }

  for (const e of schemaErrors(data)) {
    if (e.at === 'key') r.atKey(e.path, 'error', e.code, e.message, e.hint);
    else r.atValue(e.path, 'error', e.code, e.message, e.hint);
  }
  const root = isObject(data) ? data : {};
  const names = isObject(root.jobs) ? jobNamesInOrder(doc, root.jobs) : [];
  return { r, root, names };
}

/** Where a job's key sits in the jobs map, in file order (YAML order, not JS key order). */
function jobNamesInOrder(doc: Document, jobs: Record<string, unknown>): string[] {
  const map = locate(doc, ['jobs']).value;
  if (!isMap(map)) return Object.keys(jobs);
  // A Set, not names.includes: linear in the number of jobs.
  const names = new Set<string>();
  for (const item of map.items as Pair<Node, Node>[]) {
    if (isScalar(item.key)) {
      const k = String(item.key.value);
      if (Object.hasOwn(jobs, k)) names.add(k);
    }
  }
  for (const k of Object.keys(jobs)) names.add(k);
  return [...names];
}

export function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.line}:${d.col}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Human words for the YAML parser's complaints; one per line (the first) is enough. */
function reportYamlProblems(r: DocumentReporter, doc: Document, source: string): void {
  const lines = source.split(/\r\n|\r|\n/);
  const seenLines = new Set<number>();
  for (const e of doc.errors) {
    const { line } = toPosition(r.lineCounter, e.pos[0]);
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    const text = lines[line - 1] ?? '';
    let message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    let hint: string | undefined;
    let code = 'yaml-syntax';
    if (e.code === 'TAB_AS_INDENT') {
      code = 'yaml-tab';
      message = 'tab character used for indentation';
      hint = 'YAML indents with spaces only; replace the tabs with spaces';
    } else if ((e.code === 'BAD_ALIAS' || e.code === 'UNEXPECTED_TOKEN') && /:\s+\*/.test(text)) {
      code = 'yaml-unquoted-star';
      message = "a value cannot start with '*' unquoted (YAML reads it as an alias)";
      const m = /^(\s*[\w-]+:\s+)(.*?)\s*(#.*)?$/.exec(text);
      hint = m
        ? `quote it: ${m[1]!.trim()} "${m[2]!.replace(/"/g, '\\"')}"`
        : 'put the value in double quotes';
    } else if (e.code === 'MULTIPLE_DOCS') {
      message = 'the file holds several YAML documents; sched reads one';
      hint = "remove the '---' separator";
    } else if (message) {
      message = `YAML syntax error: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
    }
    r.atOffset(e.pos[0], 'error', code, message, hint);
  }
  for (const w of doc.warnings) {
    const message = w.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    r.atOffset(w.pos[0], 'warning', 'yaml-warning', message);
  }
}

/** The longest string value (or key) a schedules file may hold; see docs/configuration.md. */
export const MAX_SCALAR_CHARS = 65_536;

/**
 * Duplicate keys (the same scalar value twice in one mapping: what yaml's `uniqueKeys` finds,
 * reported at the later key with the line of the first) and over-long strings, in one walk over
 * the document: one Map per mapping, so linear in the size of the file.
 */
function reportDuplicatesAndSizes(r: DocumentReporter, doc: Document): void {
  const tooLong = (node: unknown): void => {
    if (isScalar(node) && typeof node.value === 'string' && node.value.length > MAX_SCALAR_CHARS) {
      r.atOffset(
        nodeStart(node) ?? 0,
        'error',
        'too-long',
        `this text is ${node.value.length.toLocaleString('en-US')} characters long; sched takes at most ${MAX_SCALAR_CHARS.toLocaleString('en-US')}`,
        'put long scripts in a file and run that file',
      );
    }
  };
  const visit = (node: unknown, where: PathSegment[]): void => {
    if (isMap(node)) {
      // Keyed by the scalar's value, as yaml compares keys (`1` and `"1"` differ; `a` and `"a"` do not).
      const first = new Map<unknown, number>();
      for (const item of node.items as Pair<Node, Node>[]) {
        tooLong(item.key);
        const k = isScalar(item.key) ? item.key.value : undefined;
        const start = nodeStart(item.key ?? undefined);
        if (isScalar(item.key) && start !== undefined) {
          const prev = first.get(k);
          if (prev === undefined) first.set(k, start);
          else {
            const { line } = toPosition(r.lineCounter, prev);
            const inWhat = where.length ? ` in ${describePath(where)}` : '';
            r.atOffset(
              start,
              'error',
              'duplicate-key',
              `duplicate key '${String(k)}'${inWhat} (first defined on line ${line})`,
              'YAML keeps only one of them; remove or rename one',
            );
          }
        }
        // The path is only read when a problem is reported; building it per item stays cheap.
        visit(item.value, isScalar(item.key) ? [...where, String(k)] : where);
      }
    } else if (node && typeof node === 'object' && 'items' in node) {
      const items = (node as { items: unknown[] }).items;
      items.forEach((it, i) => visit(it, [...where, i]));
    } else {
      tooLong(node);
    }
  };
  visit(doc.contents, []);
}
