/**
 * Pure conversion of a user crontab (Debian cron 3.0pl1 rules, see src/backends/crontab/render.ts)
 * into job proposals: every line outside any `# BEGIN sched …` / `# END sched …` block that is
 * a job, with the environment lines above it, and the comment directly above it as description.
 *
 * Facts from Debian cron's source this follows:
 * - env.c: a line `NAME = value` (blanks around `=` allowed, value optionally in matching quotes)
 *   sets a variable for every job line after it.
 * - do_command.c: in the command, `\%` is `%` and `\\` is `\` (any other `\x` stays); the first
 *   unescaped `%` ends the command and the rest is its standard input, with `%` as newlines.
 * - the job runs `$SHELL -c COMMAND` (default `/bin/sh`) in `$HOME`; its output is mailed to
 *   `$MAILTO`.
 */
import { UserError } from '../../errors.js';
import { CRON_PRESETS } from '../../model/job.js';
import { MARKER_PATTERN } from './render.js';
import { splitLines } from './parse.js';
import { canEverFire, CRON_MACROS, parseCron, parseSchedule } from '../../schedule/cron.js';
import type { ImportSource, UnnamedProposal, UnnamedScan } from '../../import/types.js';

/** Prefix `sched import --write` puts in front of a line it took over. */
export const IMPORTED_PREFIX = '# sched-imported: ';

/** Debian's macros (entry.c), case-sensitive. */
const MACROS = new Set<string>(['@reboot', ...CRON_MACROS]);

/** Variables that configure cron itself, not the job: turned into notes, not `env:`. */
const CRON_ONLY = new Set([
  'MAILTO',
  'MAILFROM',
  'CONTENT_TYPE',
  'CONTENT_TRANSFER_ENCODING',
  'CRON_TZ',
  'SHELL',
]);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface CrontabScanOptions {
  /** The user's home directory: cron runs jobs there unless the crontab sets HOME. */
  homeDir: string;
  /** The host's zone (cron fires in local time). */
  hostTimezone: string;
  /** The zone jobs get when they set none (the file's `defaults.timezone`, else the host's). */
  defaultTimezone?: string;
}

function stripEol(line: string): string {
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}

/** An environment line as cron reads it, or undefined. */
export function parseEnvLine(line: string): { name: string; value: string } | undefined {
  const m = /^[ \t]*([^=\s#][^=\s]*)[ \t]*=[ \t]*(.*?)[ \t]*$/.exec(line);
  if (!m) return undefined;
  let value = m[2]!;
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    value = value.slice(1, -1);
  }
  return { name: m[1]!, value };
}

/**
 * The command as cron hands it to the shell: `\%` → `%`, `\\` → `\`. `stdin` is set when an
 * unescaped `%` cuts the command (what follows would be its standard input).
 */
export function unescapeCronCommand(raw: string): { command: string; stdin?: string } {
  let out = '';
  let escaped = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (escaped) {
      out += ch === '%' || ch === '\\' ? ch : `\\${ch}`;
      escaped = false;
      continue;
    }
    if (ch === '\\') {
      escaped = true;
      continue;
    }
    if (ch === '%') return { command: out, stdin: raw.slice(i + 1) };
    out += ch;
  }
  if (escaped) out += '\\';
  return { command: out };
}

/** Index ranges of every sched block (any project). Throws when a marker is unbalanced. */
function blockLines(lines: readonly string[]): Set<number> {
  const inside = new Set<number>();
  let open: { project: string; line: number } | undefined;
  lines.forEach((raw, i) => {
    const m = MARKER_PATTERN.exec(stripEol(raw));
    if (!m) {
      if (open) inside.add(i);
      return;
    }
    const [, kind, project] = m;
    if (kind === 'BEGIN') {
      if (open) {
        throw new UserError(
          `the crontab has '# BEGIN sched ${project}' at line ${i + 1} inside the block of '${open.project}' (line ${open.line + 1})`,
          "Fix the sched markers by hand with 'crontab -e'; import will not guess which lines are sched's.",
        );
      }
      open = { project: project!, line: i };
    } else {
      if (!open || open.project !== project) {
        throw new UserError(
          `the crontab has '# END sched ${project}' at line ${i + 1} without its BEGIN line`,
          "Fix the sched markers by hand with 'crontab -e'; import will not guess which lines are sched's.",
        );
      }
      open = undefined;
    }
    inside.add(i);
  });
  if (open) {
    throw new UserError(
      `the crontab has '# BEGIN sched ${open.project}' at line ${open.line + 1} without its END line`,
      "Fix the sched markers by hand with 'crontab -e'; import will not guess which lines are sched's.",
    );
  }
  return inside;
}

/** The preset with exactly this cron text, else the text itself. */
function presetOr(expr: string): string {
  for (const [preset, cron] of Object.entries(CRON_PRESETS)) if (cron === expr) return preset;
  return expr;
}

/** A comment line's text, or undefined for sched's own comments. */
function descriptionOf(line: string): string | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('#')) return undefined;
  if (
    MARKER_PATTERN.test(trimmed) ||
    trimmed.startsWith(IMPORTED_PREFIX.trim()) ||
    /^#\s*sched-managed\b/.test(trimmed)
  )
    return undefined;
  const text = trimmed.replace(/^#+/, '').trim();
  // The stock header of `crontab -e` describes the columns, not the job.
  if (text === '' || /^m\s+h\s+dom\s+mon\s+dow\s+command$/.test(text)) return undefined;
  return text;
}

/** Splits a job line into its schedule text and raw command, or a reason it is not one. */
function splitJobLine(line: string): { schedule: string; raw: string } | { reason: string } {
  const text = line.replace(/^[ \t]+/, '');
  if (text.startsWith('@')) {
    const m = /^(@\S*)[ \t]+(.*)$/.exec(text);
    if (!m) return { reason: 'an @-macro without a command' };
    if (!MACROS.has(m[1]!)) {
      return {
        reason: `'${m[1]}' is not a macro Debian's cron knows (they are lower case: ${[...MACROS].join(', ')}), so this line never ran`,
      };
    }
    return { schedule: m[1]!, raw: m[2]! };
  }
  const m = /^(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)[ \t]+(.*)$/.exec(text);
  if (!m) return { reason: 'not a cron line (five time fields and a command)' };
  return { schedule: m.slice(1, 6).join(' '), raw: m[6]! };
}

/**
 * Every foreign job line of a crontab as a proposal, or a refusal with the reason. Throws a
 * UserError when sched's markers are unbalanced.
 */
export function scanCrontab(text: string, options: CrontabScanOptions): UnnamedScan {
  const lines = splitLines(text).map(stripEol);
  const managed = blockLines(lines);
  const env = new Map<string, string>();
  const proposals: UnnamedProposal[] = [];
  const refused: UnnamedScan['refused'] = [];
  let description: string | undefined;

  lines.forEach((line, i) => {
    if (managed.has(i)) {
      description = undefined;
      return;
    }
    if (line.trim() === '') {
      description = undefined;
      return;
    }
    if (line.trim().startsWith('#')) {
      description = descriptionOf(line);
      return;
    }
    const assignment = parseEnvLine(line);
    if (assignment) {
      env.set(assignment.name, assignment.value);
      description = undefined;
      return;
    }
    const source: ImportSource = {
      scheduler: 'crontab',
      where: `crontab line ${i + 1}`,
      original: line,
      line: i,
    };
    const about = description;
    description = undefined;
    const parts = splitJobLine(line);
    if ('reason' in parts) {
      refused.push({ source, reason: parts.reason });
      return;
    }
    const result = convertLine(parts.schedule, parts.raw, new Map(env), options);
    if ('reason' in result) {
      refused.push({ source, reason: result.reason });
      return;
    }
    proposals.push({
      ...result,
      description: about,
      source,
      notes: [`imported from ${source.where}: ${line.trim()}`, ...result.notes],
    });
  });
  return { proposals, refused };
}

type Converted = Omit<UnnamedProposal, 'source' | 'description'>;

function convertLine(
  scheduleText: string,
  raw: string,
  env: Map<string, string>,
  options: CrontabScanOptions,
): Converted | { reason: string } {
  let schedule: string;
  if (scheduleText === '@reboot') {
    schedule = 'boot';
  } else {
    try {
      parseSchedule(scheduleText);
      if (!canEverFire(parseCron(scheduleText)))
        return { reason: `'${scheduleText}' never fires (no such date)` };
    } catch (err) {
      return {
        reason: `the schedule '${scheduleText}' cannot be imported exactly: ${(err as Error).message}`,
      };
    }
    schedule = presetOr(scheduleText);
  }

  const { command: unescaped, stdin } = unescapeCronCommand(raw);
  if (stdin !== undefined) {
    return {
      reason:
        "the command uses an unescaped '%': cron cuts the command there and feeds the rest to its standard input " +
        "(each further '%' a newline); sched has no equivalent. Rewrite it as a pipe (printf '…' | command) or escape it as \\%, then import again",
    };
  }
  const shellText = unescaped.trim();
  if (shellText === '') return { reason: 'the line has no command' };

  const notes: string[] = [];
  const jobEnv: Record<string, string> = {};
  for (const [name, value] of env) {
    if (CRON_ONLY.has(name)) continue;
    if (!ENV_NAME.test(name)) {
      notes.push(`the crontab variable '${name}' is not a valid environment name for sched and was left out`);
      continue;
    }
    jobEnv[name] = value;
  }
  const mailto = env.get('MAILTO');
  if (mailto !== undefined) {
    notes.push(
      mailto === ''
        ? 'MAILTO="" kept cron from mailing output; sched keeps output in the job log (sched logs)'
        : `cron mailed this job's output to ${mailto}; sched keeps it in the job log (sched logs) instead`,
    );
  }
  if (env.has('CRON_TZ')) {
    notes.push(
      `CRON_TZ=${env.get('CRON_TZ')} is ignored by Debian's cron: the line fired in the host's local time, and so does this job`,
    );
  }

  let command: string | string[] = shellText;
  const shell = env.get('SHELL');
  if (shell !== undefined && shell !== '/bin/sh') {
    command = [shell, '-c', shellText];
    notes.push(`SHELL=${shell} in the crontab: the command runs through ${shell} -c, as cron ran it`);
  }

  const proposal: Converted = { schedule, command, notes, nameHint: shellText };
  if (Object.keys(jobEnv).length) proposal.env = jobEnv;
  // cron starts jobs in $HOME (the crontab's HOME= when set); sched's default is the folder of schedules.yaml.
  proposal.working_dir = env.get('HOME') || options.homeDir;
  const defaultZone = options.defaultTimezone ?? options.hostTimezone;
  if (defaultZone !== options.hostTimezone) proposal.timezone = options.hostTimezone;
  return proposal;
}

/**
 * The crontab with each taken-over line replaced by `# sched-imported: <line>`. Throws when a
 * line is not what the scan saw (the crontab changed in between): nothing is then written.
 */
export function commentOutLines(text: string, sources: readonly ImportSource[]): string {
  // `crontab -l` lists a carriage return as the two characters \r: writing the text back would
  // turn every such line end into a literal backslash-r (the crontab backend refuses it too).
  if (/\\r(?=\n|$)/.test(text)) {
    throw new UserError(
      'the crontab has lines ending in a carriage return (Windows line endings); import will not rewrite it',
      "Remove the carriage returns ('crontab -e'), then import again.",
    );
  }
  const lines = splitLines(text);
  for (const s of sources) {
    if (s.scheduler !== 'crontab' || s.line === undefined) continue;
    const current = lines[s.line];
    if (current === undefined || stripEol(current) !== s.original) {
      throw new UserError(
        `the crontab changed since it was read (line ${s.line + 1} is no longer '${s.original}'); nothing was written`,
        'Run sched import again.',
      );
    }
    lines[s.line] = `${IMPORTED_PREFIX}${current}`;
  }
  return lines.join('');
}
