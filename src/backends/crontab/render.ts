/**
 * Pure rendering of crontab entries. One entry per job:
 *
 * ```
 * # sched-managed project=billing job=nightly hash=sha256:0123456789abcdef
 * # Build and mail the nightly report          (optional: the job's description)
 * 0 2 * * * /usr/bin/node /opt/sched/bin/run.js run --project billing --trigger crontab nightly
 * ```
 *
 * The hash in the header is `contentHash` of the entry body (every line after the header), so a
 * hand edit of the cron line shows as drift. User commands never appear in the crontab: the line
 * only runs `sched run`, which reads the applied spec. Only the absolute paths of node and sched
 * and the project/job names do, and they are shell-quoted and cron-escaped here.
 *
 * Facts about Debian cron 3.0pl1 this relies on (checked in its source, `entry.c` and
 * `do_command.c`):
 * - In the command part, `%` ends the command (the rest becomes stdin, `%` → newline) unless
 *   written `\%`; `\\` becomes `\`; any other `\x` is kept as is. So both `%` and `\` are escaped.
 * - The command is read into a 1000-byte buffer and a command of 999 bytes or more is rejected.
 * - The @-macros are compared case-sensitively (`@daily`, not `@Daily`).
 * - There is no `CRON_TZ`: entries fire in the daemon's local time.
 */
import type { Job } from '../../model/job.js';
import { isValidJobName, isValidProjectName } from '../../model/job.js';
import { InexpressibleError } from '../../errors.js';
import { CRON_MACROS as DEBIAN_CRON_MACROS } from '../../schedule/cron.js';
import { contentHash, formatOwnership } from '../header.js';
import { catchUpInvocation, runInvocation } from '../invocation.js';
import type { Artifact, RenderContext } from '../types.js';

/** `kind` of every artifact of this backend. */
export const CRONTAB_KIND = 'crontab entry';
/** Id of the project-wide `@reboot` catch-up entry. */
export const CATCH_UP_ID = 'crontab:@catch-up';

/** Artifact id of a job's entry. */
export function entryId(job: string): string {
  return job === '' ? CATCH_UP_ID : `crontab:${job}`;
}

export function beginMarker(project: string): string {
  return `# BEGIN sched ${project}`;
}

export function endMarker(project: string): string {
  return `# END sched ${project}`;
}

/**
 * Recognises a marker line (without its newline). Lenient about blanks so a hand-retyped marker
 * still counts (and so still has to balance); strict about the words.
 */
export const MARKER_PATTERN = /^#[ \t]*(BEGIN|END)[ \t]+sched[ \t]+(\S+)[ \t\r]*$/;

/** Debian cron: `get_string(cmd, MAX_COMMAND=1000)`; a command of 999 bytes is refused. */
export const MAX_COMMAND_BYTES = 998;

/** The @-macros Debian cron knows (entry.c), except `@reboot`, which is the `boot` event. */
const CRON_MACROS = new Set<string>(DEBIAN_CRON_MACROS);

/** Words the shell reads literally without quotes (no `=`: a first word `a=b` is an assignment). */
const SHELL_SAFE = /^[A-Za-z0-9_/.,:+@-]+$/;

/** POSIX shell quoting: the word unchanged when it is plainly safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (SHELL_SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Escapes text for the command part of a crontab line: `\` → `\\`, `%` → `\%`. */
export function cronEscape(text: string): string {
  return text.replace(/[\\%]/g, (c) => `\\${c}`);
}

/** The command part of a cron line for an argv: shell-quoted words, cron-escaped. */
export function cronCommand(argv: readonly string[]): string {
  return cronEscape(argv.map(shellQuote).join(' '));
}

/** Characters that cannot be written into a crontab line at all. */
const UNWRITABLE = /[\n\0]/;

function zoneId(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Same zone (canonical ids compared, so `UTC` and `Etc/UTC` are one zone). */
function sameZone(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = zoneId(a);
  return ca !== undefined && ca === zoneId(b);
}

/** The time fields of a job's cron line, or undefined when the schedule has none in crontab. */
function timeSpec(job: Job): string | undefined {
  const s = job.schedule;
  if (s.kind === 'cron') return s.expr.trim();
  if (s.kind === 'event' && s.event === 'boot') return '@reboot';
  return undefined;
}

function checkExpression(expr: string): string | undefined {
  if (expr.startsWith('@')) {
    if (CRON_MACROS.has(expr)) return undefined;
    return `'${expr}' is not a macro Debian cron knows (${[...CRON_MACROS].join(', ')}; lower case)`;
  }
  // The engine (src/schedule) has already validated the expression; this only guards the line
  // format: exactly five fields of cron's alphabet, so nothing can spill into the command.
  const fields = expr.split(/[ \t]+/);
  if (fields.length !== 5 || !fields.every((f) => /^[A-Za-z0-9*,/-]+$/.test(f))) {
    return `'${expr}' is not a five-field cron expression`;
  }
  return undefined;
}

/**
 * Problems that keep a job out of a crontab, as sentences with what to do. Disabled jobs render
 * nothing, so they have no problems here.
 */
export function checkJob(job: Job, ctx: RenderContext): string[] {
  if (!job.enabled) return [];
  const problems: string[] = [];
  if (!isValidProjectName(job.project))
    problems.push(`project name '${job.project}' is not a valid sched project name`);
  if (!isValidJobName(job.name)) problems.push(`job name '${job.name}' is not a valid sched job name`);
  if (!sameZone(job.timezone, ctx.hostTimezone)) {
    problems.push(
      `its time zone ${job.timezone} is not the host's (${ctx.hostTimezone}), and Debian's cron has no CRON_TZ: ` +
        `entries fire in the host's local time. Set the job's timezone to ${ctx.hostTimezone}, or use the systemd backend.`,
    );
  }
  const s = job.schedule;
  if (s.kind === 'at') {
    problems.push(
      `the one-shot '${s.local}' cannot be written exactly in a crontab (a cron line repeats every year). ` +
        `Use the systemd backend for one-shots, or a cron expression if a yearly repeat is what you mean.`,
    );
  } else if (s.kind === 'event' && s.event === 'wake') {
    problems.push(
      `cron has no wake-from-sleep event. Use the systemd or launchd backend for 'wake', or a cron schedule.`,
    );
  } else if (s.kind === 'cron') {
    const bad = checkExpression(s.expr.trim());
    if (bad) problems.push(`${bad}. Write the schedule as five cron fields or a lower-case @-macro.`);
  }
  for (const [what, value] of [
    ['node path', ctx.nodePath],
    ['sched path', ctx.schedBin],
  ] as const) {
    if (UNWRITABLE.test(value)) {
      problems.push(
        `the ${what} ${JSON.stringify(value)} contains a newline or NUL, which a crontab line cannot hold. Install sched under a plain path.`,
      );
    }
  }
  if (problems.length === 0) {
    const bytes = Buffer.byteLength(
      cronCommand(runInvocation(ctx, 'crontab', job.project, job.name)),
      'utf8',
    );
    if (bytes > MAX_COMMAND_BYTES) {
      problems.push(
        `its cron command is ${bytes} bytes, and Debian cron refuses commands of ${MAX_COMMAND_BYTES + 1} bytes or more. ` +
          `Install node and sched under shorter paths.`,
      );
    }
  }
  return problems;
}

/** A description as one comment line: control characters folded to spaces; never a marker or header. */
export function descriptionLine(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const text = description.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (text === '') return undefined;
  const line = `# ${text}`;
  if (MARKER_PATTERN.test(line) || /^#\s*sched-managed\b/.test(line)) return `# description: ${text}`;
  return line;
}

/** An entry artifact from its body lines (each without newline). */
export function entryArtifact(project: string, job: string, bodyLines: readonly string[]): Artifact {
  const body = bodyLines.map((l) => `${l}\n`).join('');
  const hash = contentHash(body);
  return {
    id: entryId(job),
    job,
    kind: CRONTAB_KIND,
    content: `# ${formatOwnership({ project, job, hash })}\n${body}`,
    hash,
  };
}

/** The job's entry (none when disabled). Throws InexpressibleError when checkJob finds problems. */
export function renderJob(job: Job, ctx: RenderContext): Artifact[] {
  if (!job.enabled) return [];
  const problems = checkJob(job, ctx);
  const when = timeSpec(job);
  if (problems.length > 0 || when === undefined) {
    throw new InexpressibleError(
      'crontab',
      job.name,
      problems.join(' ') || 'no crontab form for this schedule',
    );
  }
  const lines: string[] = [];
  const desc = descriptionLine(job.description);
  if (desc !== undefined) lines.push(desc);
  lines.push(`${when} ${cronCommand(runInvocation(ctx, 'crontab', job.project, job.name))}`);
  return [entryArtifact(job.project, job.name, lines)];
}

/**
 * The project-wide `@reboot` catch-up entry, present when some enabled job has a cron schedule:
 * cron has no catch-up after power-off, so `sched run --catch-up` decides per job at boot.
 */
export function renderProjectEntries(project: string, jobs: readonly Job[], ctx: RenderContext): Artifact[] {
  const anyCron = jobs.some((j) => j.enabled && j.schedule.kind === 'cron');
  if (!anyCron) return [];
  return [entryArtifact(project, '', [`@reboot ${cronCommand(catchUpInvocation(ctx, 'crontab', project))}`])];
}

/** The most lines Debian's `crontab` installs ("crontab is too long; maximum number of lines is 10000"). */
export const DEBIAN_CRONTAB_MAX_LINES = 10_000;

/** Lines of one job's entry: its ownership comment, its description if any, the entry. */
const entryLines = (job: Job) => 2 + (descriptionLine(job.description) === undefined ? 0 : 1);

/**
 * Lines of the project's block as {@link renderJob} and {@link renderProjectEntries} write it:
 * the markers, the catch-up entry, and each enabled job's entry (0 when no job is enabled: there
 * is no block).
 */
export function blockLineCount(jobs: readonly Job[]): number {
  return linesAfterEach(jobs.filter((j) => j.enabled)).at(-1) ?? 0;
}

/** The block's lines up to and including each enabled job: the markers, the catch-up entry, the entries. */
function linesAfterEach(enabled: readonly Job[]): number[] {
  // The markers, and the catch-up entry when some job has a cron schedule.
  let lines = 2 + (enabled.some((j) => j.schedule.kind === 'cron') ? 2 : 0);
  return enabled.map((job) => (lines += entryLines(job)));
}

/**
 * The job from which the project's block would pass {@link DEBIAN_CRONTAB_MAX_LINES}: refused at
 * plan time rather than by `crontab` after the applied specs were written. Other lines in the
 * crontab count too; those only `crontab` itself can refuse.
 */
export function checkBlockSize(jobs: readonly Job[]): { job: string; problem: string }[] {
  const enabled = jobs.filter((j) => j.enabled);
  const over = enabled[linesAfterEach(enabled).findIndex((n) => n > DEBIAN_CRONTAB_MAX_LINES)];
  if (!over) return [];
  const max = DEBIAN_CRONTAB_MAX_LINES.toLocaleString('en-US');
  return [
    {
      job: over.name,
      problem:
        `the project's crontab block passes ${max} lines at this job ` +
        `(${enabled.length.toLocaleString('en-US')} jobs, two lines each, three with a description), ` +
        `and crontab installs at most ${max}. ` +
        'Hint: split the jobs into projects applied as other users, or use the systemd backend.',
    },
  ];
}
