/**
 * The env_file format, read by `sched run` at run time (so secrets never enter the rendered
 * native files). A deliberately small dotenv subset:
 *
 * - one `KEY=VALUE` per line; an optional leading `export ` is ignored;
 * - blank lines and lines starting with `#` are ignored;
 * - KEY is `[A-Za-z_][A-Za-z0-9_]*`; spaces around `=` are allowed;
 * - unquoted VALUE: trimmed, and ` #…` (a `#` after whitespace) starts a comment;
 * - `'single quoted'`: taken literally;
 * - `"double quoted"`: `\n`, `\t`, `\r`, `\\`, `\"` and `\$` escapes; may span lines;
 * - no variable expansion, no command substitution.
 *
 * The file holds secrets, so no message about it ever quotes its content — not even a
 * malformed line (it may be a token pasted without `KEY=`): errors give the file, the line
 * number and the problem only, because they reach stderr, run.log, history and last-run.json.
 */
import fs from 'node:fs';
import { UserError } from '../errors.js';

export class EnvFileError extends UserError {
  constructor(
    readonly line: number,
    message: string,
    readonly file?: string,
  ) {
    super(`${file ? `env_file ${file}, ` : ''}line ${line}: ${message}`);
    this.name = 'EnvFileError';
  }
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  let i = 0;
  let lineNo = 1;
  while (i < src.length) {
    let nl = src.indexOf('\n', i);
    if (nl < 0) nl = src.length;
    const startLine = lineNo;
    const raw = src.slice(i, nl);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i = nl + 1;
      lineNo++;
      continue;
    }
    const line = raw.replace(/^\s*export\s+/, '');
    const eq = line.indexOf('=');
    if (eq < 0) throw new EnvFileError(startLine, 'expected KEY=VALUE, but the line has no `=`');
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key))
      throw new EnvFileError(
        startLine,
        'invalid variable name before `=` (letters, digits and _, not starting with a digit)',
      );
    // Position of the value in the whole text, so a double-quoted value may continue on later lines.
    const lineStart = i + raw.length - line.length;
    let p = lineStart + eq + 1;
    while (p < nl && (src[p] === ' ' || src[p] === '\t')) p++;
    const quote = src[p];
    let value: string;
    if (quote === "'") {
      const close = src.indexOf("'", p + 1);
      if (close < 0 || close > nl) throw new EnvFileError(startLine, 'unterminated single quote');
      value = src.slice(p + 1, close);
      p = close + 1;
    } else if (quote === '"') {
      value = '';
      p++;
      for (;;) {
        if (p >= src.length) throw new EnvFileError(startLine, 'unterminated double quote');
        const c = src[p]!;
        if (c === '"') {
          p++;
          break;
        }
        if (c === '\\' && p + 1 < src.length) {
          const n = src[p + 1]!;
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', $: '$' };
          value += map[n] ?? `\\${n}`;
          p += 2;
          continue;
        }
        if (c === '\n') lineNo++;
        value += c;
        p++;
      }
    } else {
      const rest = src.slice(p, nl);
      const hash = rest.search(/\s#/);
      value = (hash >= 0 ? rest.slice(0, hash) : rest).trim();
      p = nl;
    }
    // After a closing quote only whitespace or a comment may follow on that line.
    let end = src.indexOf('\n', p);
    if (end < 0) end = src.length;
    const tail = src.slice(p, end).trim();
    if (tail !== '' && !tail.startsWith('#'))
      throw new EnvFileError(
        lineNo,
        'unexpected text after the quoted value (only a # comment may follow the closing quote)',
      );
    env[key] = value;
    i = end + 1;
    lineNo++;
  }
  return env;
}

/** Why the file behind `st` (at `real`) may not be an env_file, or undefined when it may. */
export function envFileProblem(st: fs.Stats, real: string): string | undefined {
  if (!st.isFile()) {
    const kind = st.isFIFO()
      ? 'a named pipe'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device'
        : st.isDirectory()
          ? 'a directory'
          : st.isSocket()
            ? 'a socket'
            : 'not a regular file';
    return `it is ${kind}; an env_file must be a regular file`;
  }
  // /proc and /sys files look regular, but hold live data (the whole environment of a process).
  if (/^\/(proc|sys|dev)(\/|$)/.test(real)) return 'it is a kernel file, not a regular file of yours';
  if (typeof process.geteuid === 'function') {
    const uid = process.geteuid();
    if (st.uid !== uid && st.uid !== 0)
      return `it is owned by uid ${st.uid}, not by you (uid ${uid}); \`chown\` it or use a file of your own`;
    if (st.mode & 0o022)
      return `others can write it (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')}); \`chmod 600\` it`;
  }
  return undefined;
}

/**
 * Reads and parses `file` for a run: the environment, and a warning when others can read it
 * (validate refuses that; at run time it is said, not fatal). Throws a {@link UserError} naming
 * the file — never its content — when it is missing, not a regular file of the user's (a FIFO, a
 * device, /proc/self/environ…), writable by others, or malformed.
 */
export function readEnvFile(file: string): { env: Record<string, string>; warning?: string } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a named pipe must not hang the run; it is refused below.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new UserError(
      `cannot read env_file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'create it (chmod 600), or fix env_file in schedules.yaml and apply again',
    );
  }
  try {
    const st = fs.fstatSync(fd);
    let real = file;
    try {
      real = fs.realpathSync(file);
    } catch {
      // Gone since the open: the fstat above is what we read.
    }
    const problem = envFileProblem(st, real);
    if (problem) throw new UserError(`refusing env_file ${file}: ${problem}`);
    const text = fs.readFileSync(fd, 'utf8');
    let env: Record<string, string>;
    try {
      env = parseEnvFile(text);
    } catch (e) {
      if (e instanceof EnvFileError)
        throw new EnvFileError(e.line, e.message.replace(/^line \d+: /, ''), file);
      throw e;
    }
    const mode = st.mode & 0o777;
    const warning =
      process.platform !== 'win32' && mode & 0o044
        ? `env_file ${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`
        : undefined;
    return warning ? { env, warning } : { env };
  } finally {
    fs.closeSync(fd);
  }
}
