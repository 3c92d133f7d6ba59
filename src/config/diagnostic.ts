/**
 * Diagnostics: configuration problems with an exact location. Loading never throws for a bad
 * file; it returns all of these at once, and the formatters below print them like a compiler,
 * as JSON, or as GitHub Actions annotations.
 */

export type Severity = 'error' | 'warning';

/** One problem in a configuration file. `line` and `col` are 1-based (col counts UTF-16 code units, like editors). */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  /** Stable machine-readable code, e.g. `unknown-key`, `cron-syntax`. */
  code: string;
  message: string;
  /** How to fix it, when there is something better to say than the message. */
  hint?: string;
}

/** Orders diagnostics by file, position, then errors before warnings, then message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.col !== b.col) return a.col - b.col;
  if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(compareDiagnostics);
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}

/** Source texts by file name, so the text formatter can quote the offending line. */
export type SourceMap = Readonly<Record<string, string | undefined>>;

/** Control characters other than tab are shown as `?` so a quoted line cannot mess up a terminal. */
function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/g, '?');
}

/**
 * Compiler style:
 * ```
 * schedules.yaml:12:7: error: overlap in job 'backup' must be one of skip, queue, replace, allow
 *    12 |     overlap: skp
 *       |              ^
 *    = hint: did you mean 'skip'?
 * ```
 * followed by a summary line (`2 errors, 1 warning`). An empty list prints nothing.
 */
export function formatText(diagnostics: readonly Diagnostic[], sources: SourceMap = {}): string {
  const sorted = sortDiagnostics(diagnostics);
  if (sorted.length === 0) return '';
  const out: string[] = [];
  for (const d of sorted) {
    out.push(`${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message} [${d.code}]`);
    const source = sources[d.file];
    const lines = source === undefined ? undefined : source.split(/\r\n|\r|\n/);
    const text = lines?.[d.line - 1];
    const gutter = String(d.line).length + 3;
    if (text !== undefined) {
      const shown = printable(text.length > 200 ? text.slice(0, 200) : text);
      out.push(`${String(d.line).padStart(gutter)} | ${shown}`);
      // Keep tabs in the caret line so the caret lines up under the column in a terminal.
      const before = shown.slice(0, Math.max(0, d.col - 1));
      const pad = before.replace(/[^\t]/g, ' ');
      out.push(`${' '.repeat(gutter)} | ${pad}^`);
    }
    if (d.hint) out.push(`${' '.repeat(gutter)} = hint: ${d.hint}`);
  }
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  out.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return out.join('\n') + '\n';
}

/** A stable JSON array: `[{file, line, col, severity, code, message, hint?}]`, sorted by position. */
export function toJsonDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return sortDiagnostics(diagnostics).map((d) => {
    const o: Diagnostic = {
      file: d.file,
      line: d.line,
      col: d.col,
      severity: d.severity,
      code: d.code,
      message: d.message,
    };
    if (d.hint) o.hint = d.hint;
    return o;
  });
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify(toJsonDiagnostics(diagnostics), null, 2) + '\n';
}

/** Escapes for a GitHub workflow command's message (data) part. */
function escapeGithubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes for a GitHub workflow command's property values. */
function escapeGithubProperty(s: string): string {
  return escapeGithubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions annotations: `::error file=F,line=L,col=C,title=sched CODE::message`. */
export function formatGithub(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const props = [
        `file=${escapeGithubProperty(d.file)}`,
        `line=${d.line}`,
        `col=${d.col}`,
        `title=${escapeGithubProperty(`sched ${d.code}`)}`,
      ].join(',');
      const message = d.hint ? `${d.message}\n${d.hint}` : d.message;
      return `::${d.severity} ${props}::${escapeGithubData(message)}\n`;
    })
    .join('');
}

export type DiagnosticFormat = 'text' | 'json' | 'github';

export function formatDiagnostics(
  format: DiagnosticFormat,
  diagnostics: readonly Diagnostic[],
  sources: SourceMap = {},
): string {
  switch (format) {
    case 'json':
      return formatJson(diagnostics);
    case 'github':
      return formatGithub(diagnostics);
    default:
      return formatText(diagnostics, sources);
  }
}
