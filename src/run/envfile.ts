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
 */
export class EnvFileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
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
    if (eq < 0) throw new EnvFileError(startLine, `expected KEY=VALUE, got '${trimmed.slice(0, 40)}'`);
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) throw new EnvFileError(startLine, `invalid variable name '${key}'`);
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
      throw new EnvFileError(lineNo, `unexpected text after the value: '${tail.slice(0, 40)}'`);
    env[key] = value;
    i = end + 1;
    lineNo++;
  }
  return env;
}
