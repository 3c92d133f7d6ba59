/**
 * Windows command-line quoting: the inverse of CommandLineToArgvW (and of the C runtime's
 * argument parser, which node.exe uses) for every argument after the program name.
 *
 * Rules: arguments are split at unquoted spaces/tabs; `2n` backslashes before a `"` give `n`
 * backslashes and the quote toggles quoting; `2n+1` backslashes before a `"` give `n` backslashes
 * and a literal `"`; backslashes elsewhere are literal. The quoting below never emits `""`
 * inside a quoted argument, whose meaning differs between parser versions.
 */

/** Quotes one argument so that CommandLineToArgvW gives it back unchanged. */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[ \t\n\v"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  // Backslashes before the closing quote are doubled so the quote stays a quote.
  out += '\\'.repeat(backslashes * 2) + '"';
  return out;
}

export function quoteWindowsArgs(args: readonly string[]): string {
  return args.map(quoteWindowsArg).join(' ');
}

/** Splits an argument string the way CommandLineToArgvW does for arguments after the first. */
export function splitWindowsArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    let cur = '';
    let inQuotes = false;
    while (i < n) {
      const ch = line[i]!;
      if (!inQuotes && (ch === ' ' || ch === '\t')) break;
      if (ch === '\\') {
        let k = 0;
        while (i < n && line[i] === '\\') {
          k++;
          i++;
        }
        if (line[i] === '"') {
          cur += '\\'.repeat(Math.floor(k / 2));
          if (k % 2 === 1) {
            cur += '"';
            i++;
          }
        } else {
          cur += '\\'.repeat(k);
        }
        continue;
      }
      if (ch === '"') {
        if (inQuotes && line[i + 1] === '"') {
          // `""` inside quotes: a literal quote (CommandLineToArgvW since 2008).
          cur += '"';
          i += 2;
          continue;
        }
        inQuotes = !inQuotes;
        i++;
        continue;
      }
      cur += ch;
      i++;
    }
    args.push(cur);
  }
  return args;
}
