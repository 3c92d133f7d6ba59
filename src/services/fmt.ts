/**
 * `sched fmt` as a service: rewrites a schedules.yaml in sched's canonical layout (two-space
 * indent, indented sequences, no folding of long lines, `[a, b]` flow lists, LF line ends), with
 * every comment kept. Like `terraform fmt`, it never changes meaning: the formatted text is parsed
 * again and must give exactly the same data, else nothing is written.
 */
import { chmod, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { missingSchedulesFile, UserError } from '../errors.js';

/** The result of formatting one text. */
export interface FormattedText {
  text: string;
  changed: boolean;
}

/** One file `fmt` looked at. */
export interface FormattedFile extends FormattedText {
  /** The path as the user gave it. */
  file: string;
  /** The text before formatting (for a diff). */
  before: string;
  /** Written back (false with `check`, or when it was already canonical). */
  written: boolean;
}

/** Where a text could not be parsed: fmt formats only valid YAML. */
export class FmtSyntaxError extends UserError {
  constructor(file: string, line: number, col: number, problem: string) {
    super(
      `${file}:${line}:${col}: ${problem}`,
      `fix the YAML syntax first (sched validate -f ${file} shows every problem)`,
    );
  }
}

/** Canonical text of a schedules document. Pure (given the yaml module). */
export async function formatSchedulesText(source: string, file = 'schedules.yaml'): Promise<FormattedText> {
  const { LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    const at = lineCounter.linePos(first.pos[0]);
    throw new FmtSyntaxError(file, at.line, at.col, first.message.split('\n')[0]!);
  }
  const text = doc.toString({ indent: 2, indentSeq: true, lineWidth: 0, flowCollectionPadding: false });
  const again = parseDocument(text, { uniqueKeys: false });
  if (again.errors.length || !isDeepStrictEqual(again.toJS(), doc.toJS())) {
    // The YAML library could not re-emit this document faithfully: leave it as it is.
    throw new UserError(
      `${file}: cannot format this file without changing its meaning; it was left unchanged`,
      'please report the file (without secrets) so the formatter learns it',
    );
  }
  return { text, changed: text !== source };
}

/**
 * Formats `file` in place (atomically, keeping its mode), or only reports with `check`.
 * Refuses a file that does not exist or is not valid YAML, naming where.
 */
export async function formatSchedulesFile(
  file: string,
  options: { check?: boolean } = {},
): Promise<FormattedFile> {
  let real: string;
  let before: string;
  let mode: number;
  try {
    real = await realpath(file);
    const info = await stat(real);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    before = await readFile(real, 'utf8');
    mode = info.mode & 0o777;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw missingSchedulesFile(file);
    throw new UserError(
      `cannot read ${file} (${code ?? (err as Error).message})`,
      'check the path and its permissions',
    );
  }
  const formatted = await formatSchedulesText(before, file);
  if (!formatted.changed || options.check) return { ...formatted, file, before, written: false };
  const tmp = path.join(
    path.dirname(real),
    `.${path.basename(real)}.sched-fmt-${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(tmp, formatted.text, { mode, flag: 'wx' });
    await chmod(tmp, mode); // writeFile's mode is filtered by the umask
    await rename(tmp, real);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot write ${file} (${code ?? (err as Error).message}); it is unchanged`,
      'check that its folder is writable by you',
    );
  }
  return { ...formatted, file, before, written: true };
}
