/**
 * Job names for imported entries: derived from the command (what people recognise a cron line
 * by), slugified to the job-name alphabet, made unique against the file's names and each other.
 */
import { isValidJobName } from '../model/job.js';

/** Wrappers that say nothing about the job: the name comes from what they run. */
const WRAPPERS = new Set([
  'sudo',
  'nice',
  'ionice',
  'nohup',
  'env',
  'exec',
  'time',
  'chronic',
  'flock',
  'timeout',
  'setsid',
  'run-one',
  'caffeinate',
  'cd',
  'test',
  '[',
]);
/** Interpreters: the script they run names the job better (`python3 report.py` → `report`). */
const INTERPRETERS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'python',
  'python2',
  'python3',
  'node',
  'nodejs',
  'perl',
  'ruby',
  'php',
  'deno',
  'bun',
  'npx',
  'npm',
  'pwsh',
  'powershell',
  'powershell.exe',
  'cmd',
  'cmd.exe',
]);
const SCRIPT_EXT = /\.(sh|bash|py|js|mjs|cjs|ts|pl|rb|php|ps1|bat|cmd|exe)$/i;

/** Shell-ish words of a command string: enough to find the program, not a shell parser. */
function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'";&|<>()]+)|([;&|<>()]+)/g)) {
    out.push(m[1] ?? m[2] ?? m[3] ?? `\u0000${m[4]}`);
  }
  return out;
}

/** Turns text into the job-name alphabet; '' when nothing is left. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
}

function base(word: string): string {
  const last = word.split(/[\\/]/).filter(Boolean).at(-1) ?? word;
  return last.replace(SCRIPT_EXT, '');
}

/** A name for a command (string: shell text; array: argv). Never empty: `job` at worst. */
export function nameFromCommand(command: string | readonly string[]): string {
  const list = typeof command === 'string' ? words(command) : [...command];
  let i = 0;
  let interpreter = '';
  let afterWrapper = false;
  while (i < list.length) {
    const w = list[i]!;
    if (w.startsWith('\u0000')) {
      i++; // an operator (`cd /x && backup`): the program follows it
      continue;
    }
    const b = base(w).toLowerCase();
    // `sudo -u www`, `nice -n 10`: a wrapper's short option with its value.
    if (afterWrapper && /^-[ugnckpsw]$/.test(w)) {
      i += 2;
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || w.startsWith('-') || /^\d+[smhd]?$/.test(w)) {
      i++;
      continue;
    }
    afterWrapper = WRAPPERS.has(b);
    if (WRAPPERS.has(b)) {
      // `cd DIR`, `flock FILE`, `timeout N`: the argument is not the program either.
      i += b === 'cd' || b === 'flock' ? 2 : 1;
      continue;
    }
    if (INTERPRETERS.has(b) && !interpreter) {
      interpreter = slugify(b);
      i++;
      continue;
    }
    const slug = slugify(base(w));
    if (slug) return slug;
    i++;
  }
  return interpreter || 'job';
}

/** `base`, or `base-2`, `base-3`… : the first one not in `taken` (which it is added to). */
export function uniqueName(wanted: string, taken: Set<string>): string {
  let stem = slugify(wanted) || 'job';
  if (!/^[a-z0-9]/.test(stem)) stem = `job-${stem}`;
  stem = stem.slice(0, 56).replace(/-+$/, '');
  let name = stem;
  for (let n = 2; taken.has(name) || !isValidJobName(name); n++) name = `${stem}-${n}`;
  taken.add(name);
  return name;
}
