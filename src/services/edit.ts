/**
 * Edits schedules.yaml from the command line (`sched add`, `pause`, `resume`, `remove`) without
 * disturbing the rest of the file: comments, blank lines, quoting, flow maps and comment
 * alignment stay byte for byte.
 *
 * How: the yaml Document API says what the edit means (the node to change, mutated in a copy of
 * the document) and where it is (node ranges). The change is then made as a small text splice at
 * those ranges by the shared editor (src/edit/yaml-text.ts), and the spliced text is accepted
 * only if it parses to exactly what the mutated document holds; otherwise (flow-style
 * `jobs: {…}`, exotic layouts) the mutated document is serialised instead, which keeps comments
 * but may re-space some lines.
 *
 * The result is validated with the same loader as `sched validate` before anything is written;
 * an invalid result writes nothing. Writes are atomic (temp file in the same folder + rename).
 * No printing: callers show the outcome.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  stringify,
  visit,
  YAMLMap,
  YAMLSeq,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import { hasErrors, type Diagnostic } from '../config/diagnostic.js';
import { backendSettings } from '../backends/registry.js';
import { loadProject } from '../config/load.js';
import { suggest } from '../config/suggest.js';
import { InvalidConfigError, missingSchedulesFile, UserError } from '../errors.js';
import {
  appendJobsText,
  deleteKeyText,
  removeJobText,
  setKeyText,
  type AppendJobsOptions,
} from '../edit/yaml-text.js';
import { isValidJobName, OVERLAP_POLICIES, type OverlapPolicy } from '../model/job.js';

/** A job to add, as the user typed it (validated afterwards by the loader, like any file). */
export interface NewJob {
  schedule: string;
  /** argv: stored as a YAML flow sequence, run without a shell. */
  command: string[];
  timezone?: string;
  overlap?: OverlapPolicy;
  description?: string;
  timeout?: string;
  catchUp?: boolean;
}

export type EditOp =
  | { kind: 'add'; name: string; job: NewJob }
  | { kind: 'pause'; name: string }
  | { kind: 'resume'; name: string }
  | { kind: 'remove'; name: string };

export interface TextEdit {
  /** The new text (equal to the old one when nothing changed). */
  text: string;
  changed: boolean;
  /** Why nothing changed (already paused…), or undefined. */
  note?: string;
  /** True when the text splice could not be used and the document was re-serialised. */
  reserialized: boolean;
}

export interface FileEdit extends TextEdit {
  /** The real path written (symlinks resolved). */
  file: string;
  /** Warnings from validating the result. */
  warnings: Diagnostic[];
}

/** How `sched add` places a new job (see {@link AppendJobsOptions}). */
const EDIT_LAYOUT: AppendJobsOptions = {
  blankLineBefore: 'when-spaced',
  afterTrailingComments: true,
  explicitNullJobs: 'fill',
  missingJobsKey: 'unsupported',
};

const NAME_HINT =
  'job names use lower-case letters, digits and dashes, start with a letter or digit, and have at most 63 characters (e.g. nightly-report)';

/** Checks a job name before it goes anywhere near a file name or a unit name. */
export function checkJobName(name: string): void {
  if (!isValidJobName(name)) throw new UserError(`'${name}' is not a valid job name`, NAME_HINT);
}

// ---------------------------------------------------------------------------------------------
// Scalars written in the file's own quoting style

type QuoteStyle = 'single' | 'double';

/** The quote style the file uses most (double when it has no quoted scalars). */
function quoteStyle(doc: Document): QuoteStyle {
  let single = 0;
  let double = 0;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type === Scalar.QUOTE_SINGLE) single++;
      if (node.type === Scalar.QUOTE_DOUBLE) double++;
    },
  });
  return single > double ? 'single' : 'double';
}

function quoted(value: string, style: QuoteStyle): string {
  // Single quotes cannot hold escapes: anything non-printable goes double-quoted (JSON strings are valid YAML).
  // eslint-disable-next-line no-control-regex
  if (style === 'single' && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value))
    return `'${value.replace(/'/g, "''")}'`;
  return JSON.stringify(value);
}

/** A plain scalar when YAML reads it back as the same string, else quoted. */
function scalarText(value: string, style: QuoteStyle, forceQuotes = false): string {
  if (!forceQuotes) {
    const plain = stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
    if (!plain.includes('\n') && !/^['"|>]/.test(plain) && plain === value) return plain;
  }
  return quoted(value, style);
}

function jobLines(name: string, job: NewJob, indent: string, step: string, style: QuoteStyle): string {
  const inner = indent + step;
  const lines = [`${indent}${name}:`];
  if (job.description !== undefined) lines.push(`${inner}description: ${scalarText(job.description, style)}`);
  // Cron expressions are always quoted: a plain `*` would be YAML alias syntax.
  lines.push(`${inner}schedule: ${scalarText(job.schedule, style, /[\s*]/.test(job.schedule))}`);
  lines.push(`${inner}command: [${job.command.map((a) => quoted(a, style)).join(', ')}]`);
  if (job.timezone !== undefined) lines.push(`${inner}timezone: ${scalarText(job.timezone, style)}`);
  if (job.timeout !== undefined) lines.push(`${inner}timeout: ${scalarText(job.timeout, style)}`);
  if (job.overlap !== undefined) lines.push(`${inner}overlap: ${job.overlap}`);
  if (job.catchUp !== undefined) lines.push(`${inner}catch_up: ${job.catchUp}`);
  return lines.join('\n') + '\n';
}

/** The job as a plain object, in the same key order as {@link jobLines}. */
function jobObject(job: NewJob): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (job.description !== undefined) o.description = job.description;
  o.schedule = job.schedule;
  o.command = job.command;
  if (job.timezone !== undefined) o.timezone = job.timezone;
  if (job.timeout !== undefined) o.timeout = job.timeout;
  if (job.overlap !== undefined) o.overlap = job.overlap;
  if (job.catchUp !== undefined) o.catch_up = job.catchUp;
  return o;
}

// ---------------------------------------------------------------------------------------------
// The edit itself

function parse(source: string): Document {
  const doc = parseDocument(source, { uniqueKeys: false, keepSourceTokens: false, logLevel: 'error' });
  if (doc.errors.length) {
    throw new UserError(
      `the schedules file does not parse (${doc.errors[0]!.message.split('\n')[0]})`,
      'Fix it first: `sched validate` shows every problem with its line and column.',
    );
  }
  return doc;
}

function jobsMap(doc: Document): YAMLMap | undefined {
  const jobs = isMap(doc.contents) ? doc.contents.get('jobs', true) : undefined;
  return isMap(jobs) ? jobs : undefined;
}

function jobNames(doc: Document): string[] {
  return (jobsMap(doc)?.items ?? []).flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : []));
}

function findJob(doc: Document, name: string, file: string): Pair<Node, Node> {
  const pair = jobsMap(doc)?.items.find((p) => isScalar(p.key) && String(p.key.value) === name) as
    Pair<Node, Node> | undefined;
  if (pair) return pair;
  const names = jobNames(doc);
  const guess = suggest(name, names);
  throw new UserError(
    `there is no job '${name}' in ${file}`,
    guess ? `did you mean '${guess}'?` : `jobs in the file: ${names.join(', ') || '(none)'}`,
  );
}

/** The spliced text if it means exactly what `expected` holds, else undefined. */
function verified(text: string, expected: Document): string | undefined {
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error' });
  if (doc.errors.length) return undefined;
  return isDeepStrictEqual(doc.toJS(), expected.toJS()) ? text : undefined;
}

function finish(source: string, splicedText: string | undefined, mutated: Document): TextEdit {
  // Inserted lines use \n; a CRLF file keeps CRLF throughout.
  const spliced = source.includes('\r\n') ? splicedText?.replace(/\r?\n/g, '\r\n') : splicedText;
  const ok = spliced === undefined ? undefined : verified(spliced, mutated);
  if (ok !== undefined) return { text: ok, changed: ok !== source, reserialized: false };
  const text = mutated.toString({ lineWidth: 0 });
  return { text, changed: text !== source, reserialized: true };
}

/**
 * Applies `op` to the text of a schedules file. Pure; throws UserError for a bad name, an
 * existing name (add) or an unknown one (pause/resume/remove).
 */
export function editSchedulesText(source: string, op: EditOp, file = 'schedules.yaml'): TextEdit {
  checkJobName(op.name);
  const doc = parse(source);
  const mutated = parse(source);
  if (!isMap(doc.contents)) throw new UserError(`${file} is not a mapping`, 'Start from `sched init`.');

  if (op.kind === 'add') {
    if (jobNames(doc).includes(op.name)) {
      throw new UserError(
        `a job named '${op.name}' already exists in ${file}`,
        `pick another name, or change the job in the file (sched remove ${op.name} removes it)`,
      );
    }
    if (op.job.overlap !== undefined && !OVERLAP_POLICIES.includes(op.job.overlap)) {
      throw new UserError(`overlap must be one of ${OVERLAP_POLICIES.join(', ')}`);
    }
    const node = mutated.createNode(jobObject(op.job)) as YAMLMap;
    const cmd = node.get('command', true);
    if (isSeq(cmd)) {
      (cmd as YAMLSeq).flow = true;
      for (const item of (cmd as YAMLSeq).items) if (isScalar(item)) item.type = Scalar.QUOTE_DOUBLE;
    }
    const schedule = node.get('schedule', true);
    if (isScalar(schedule) && /[\s*]/.test(op.job.schedule)) schedule.type = Scalar.QUOTE_DOUBLE;
    const mjobs = jobsMap(mutated);
    if (mjobs) mjobs.set(op.name, node);
    else mutated.set('jobs', mutated.createNode({ [op.name]: node }));

    const style = quoteStyle(doc);
    const appended = appendJobsText(
      source,
      doc,
      (layout) => jobLines(op.name, op.job, ' '.repeat(layout.indent), layout.step, style),
      EDIT_LAYOUT,
    );
    // A layout the splice cannot handle (flow `jobs: {…}`, no `jobs:` key): re-serialised by finish.
    const spliced = 'text' in appended ? appended.text : undefined;
    return finish(source, spliced, mutated);
  }

  const pair = findJob(doc, op.name, file);
  const job = pair.value;
  const mpair = findJob(mutated, op.name, file);

  if (op.kind === 'remove') {
    jobsMap(mutated)!.delete(op.name);
    return finish(source, removeJobText(source, jobsMap(doc)!, pair), mutated);
  }

  if (!isMap(job))
    throw new UserError(`job '${op.name}' in ${file} is not a mapping`, 'Fix it first: `sched validate`.');
  const enabledPair = job.items.find((p) => isScalar(p.key) && p.key.value === 'enabled') as
    Pair<Node, Node> | undefined;
  const enabledValue = isScalar(enabledPair?.value) ? enabledPair!.value.value : undefined;
  const mjob = mpair.value as YAMLMap;

  if (op.kind === 'pause') {
    if (enabledValue === false)
      return {
        text: source,
        changed: false,
        note: `job '${op.name}' is already paused`,
        reserialized: false,
      };
    mjob.set('enabled', false);
    return finish(source, setKeyText(source, job, 'enabled', 'false'), mutated);
  }

  // resume
  if (enabledPair === undefined || enabledValue === true) {
    return { text: source, changed: false, note: `job '${op.name}' is not paused`, reserialized: false };
  }
  mjob.delete('enabled');
  return finish(source, deleteKeyText(source, job, 'enabled'), mutated);
}

// ---------------------------------------------------------------------------------------------
// Files

export interface EditFileOptions {
  /** Name used in messages and diagnostics (default: `file` as given). */
  displayName?: string;
  /** "Now" for the loader's one-shot-in-the-past check. */
  now?: Date;
}

/**
 * Edits `file` in place: applies `op`, validates the result with the loader (in a temp file next
 * to it, so relative paths resolve the same), and only then renames the temp file over it.
 * Throws InvalidConfigError (nothing written) when the result does not validate.
 */
export async function editSchedulesFile(
  file: string,
  op: EditOp,
  options: EditFileOptions = {},
): Promise<FileEdit> {
  const display = options.displayName ?? file;
  checkJobName(op.name);
  let real: string;
  let source: string;
  let mode: number;
  try {
    real = await realpath(file);
    source = await readFile(real, 'utf8');
    mode = (await stat(real)).mode & 0o777;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw missingSchedulesFile(display);
    throw new UserError(`cannot read ${display} (${code ?? (err as Error).message})`);
  }
  const edit = editSchedulesText(source, op, display);
  if (!edit.changed) return { ...edit, file: real, warnings: [] };

  const dir = path.dirname(real);
  const tmp = path.join(dir, `.${path.basename(real)}.sched-${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, edit.text, { mode, flag: 'wx' });
  let committed = false;
  try {
    await chmod(tmp, mode); // writeFile's mode is filtered by the umask
    const loaded = await loadProject(tmp, {
      displayName: display,
      now: options.now,
      backendSettings: backendSettings(),
    });
    if (!loaded.project || hasErrors(loaded.diagnostics))
      throw new InvalidConfigError(loaded.diagnostics, edit.text);
    await rename(tmp, real);
    committed = true;
    return { ...edit, file: real, warnings: loaded.diagnostics.filter((d) => d.severity === 'warning') };
  } finally {
    if (!committed) await unlink(tmp).catch(() => {});
  }
}
