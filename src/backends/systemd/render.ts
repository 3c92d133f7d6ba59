/**
 * Pure rendering of a job into `sched-<project>-<job>.service` and `.timer` (systemd 252).
 *
 * Escaping follows systemd.syntax(7) and systemd.service(5): every ExecStart word is written in
 * double quotes with C escapes (`\\`, `\"`, `\n`, `\t`, `\xHH`), `%` is doubled (specifiers) and
 * `$` is doubled (ExecStart variable substitution). Environment= values are quoted and C-escaped
 * the same way with `%` doubled; systemd does not substitute `$` there, so `$` is kept as is.
 *
 * Overlap: a timer cannot start a second instance of a oneshot service that is still running —
 * systemd merges the start into the active one, so a second run would never reach the wrapper.
 * - `skip`: the service runs `sched run` itself. An overlapping fire simply does not happen, which
 *   is what skip means (the wrapper's lock covers `run-now` and manual runs).
 * - `queue`, `replace`, `allow`: the service is a launcher — `systemd-run [--user] --collect
 *   --no-block … -- sched run …` — that hands each fire to its own transient unit and exits at
 *   once, so every fire reaches `sched run`, whose lock enforces the policy exactly. The job's
 *   env (`--setenv=NAME`, value taken from the launcher's Environment=) and working dir
 *   (`--working-directory=`) are passed on; the env_file is read by `sched run` itself. The manager
 *   substitutes `$` in the transient unit's command line, so `$` in those words is doubled.
 *
 * Boot jobs: `OnStartupSec=0` in user scope (the user manager's start — the boot when lingering is
 * on), `OnBootSec=0` in system scope. systemd fires such a timer at once when it is started after
 * that moment, so enabling (or updating) a boot job's timer also runs it once — said in `plan`
 * through {@link systemdNotes}. Wake jobs get the same timer (the "starts" half of the preset);
 * the "wakes" half is the project's wake listener unit (wake-unit.ts), which starts their services
 * when logind announces a resume.
 */
import { posix } from 'node:path';
import { contentHash, formatOwnership } from '../header.js';
import { runInvocation } from '../invocation.js';
import type { Artifact, RenderContext } from '../types.js';
import type { Job } from '../../model/job.js';
import { InexpressibleError } from '../../errors.js';
import { parseCron } from '../../schedule/cron.js';
import { nextFireTimes } from '../../schedule/occurrences.js';
import { cronToOnCalendar, instantToOnCalendar } from '../../schedule/to-oncalendar.js';
import { clockChangeCompensation, compensationComment, RENEW_EVERY_YEARS } from './compensation.js';
import { dstNotes, type ClockChangeBehaviour } from '../../plan/dst.js';

/** What a systemd timer sched renders does at clock changes (the provider's words, for plan). */
export const SYSTEMD_CLOCK_CHANGES: ClockChangeBehaviour = {
  name: 'systemd',
  clockChanges: {
    moved:
      'the systemd timer runs it once right after the jump (Debian cron rule, through an explicit OnCalendar= line)',
    once: 'the systemd timer runs it once, in the first pass (Debian cron rule)',
    doubled:
      'the systemd timer fires in both passes (Debian cron rule; explicit OnCalendar= lines add the second pass)',
  },
};

export type SystemdScope = 'user' | 'system';

/** Where systemd-run lives (Debian, Ubuntu, Fedora, Arch: merged /usr). */
export const SYSTEMD_RUN = '/usr/bin/systemd-run';

/**
 * The argv the service's ExecStart= runs: `sched run` directly for `overlap: skip`, else through
 * a systemd-run launcher so that overlapping fires each reach the wrapper (see the module comment).
 */
export function serviceArgv(job: Job, ctx: RenderContext, scope: SystemdScope): string[] {
  const run = runInvocation(ctx, 'systemd', job.project, job.name);
  if (job.overlap === 'skip') return run;
  return [
    SYSTEMD_RUN,
    ...(scope === 'user' ? ['--user'] : []),
    '--collect',
    '--no-block',
    '--quiet',
    `--description=sched ${job.project}/${job.name} run`,
    `--working-directory=${job.workingDir}`,
    ...Object.keys(job.env)
      .sort()
      .map((k) => `--setenv=${k}`),
    '--',
    // The manager substitutes `$VAR`/`${VAR}` in a transient unit's command line too (systemd-run
    // 252 has no --expand-environment=no), so `$` is doubled once more for that second pass.
    ...run.map((a) => a.replace(/\$/g, '$$$$')),
  ];
}

export const UNIT_PREFIX = 'sched-';

export function unitBase(project: string, job: string): string {
  return `${UNIT_PREFIX}${project}-${job}`;
}
export function serviceName(project: string, job: string): string {
  return `${unitBase(project, job)}.service`;
}
export function timerName(project: string, job: string): string {
  return `${unitBase(project, job)}.timer`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// C0 controls and DEL; systemd cannot keep them in Environment= reliably, and we refuse them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Double-quoted systemd word with C escapes; `%` doubled; `$` doubled when `dollar`. */
export function quoteWord(value: string, dollar: boolean): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (ch === '%') out += '%%';
    else if (ch === '$' && dollar) out += '$$';
    else out += ch;
  }
  return out + '"';
}

/** ExecStart= value for an argv. */
export function renderExecStart(argv: readonly string[]): string {
  return argv.map((a) => quoteWord(a, true)).join(' ');
}

// eslint-disable-next-line no-control-regex
const CONTROL_RUNS = /[\u0000-\u001f\u007f]+/g;

/** A single-line free text value (Description=): specifiers escaped, controls flattened. */
export function escapeText(value: string): string {
  return value.replace(CONTROL_RUNS, ' ').trim().replace(/%/g, '%%');
}

/** A path value (WorkingDirectory=, EnvironmentFile=): only `%` needs escaping; see checks. */
export function escapePath(value: string): string {
  return value.replace(/%/g, '%%');
}

/**
 * Problems that make `job` inexpressible on systemd, as sentences. Empty when render succeeds.
 * `now` is the moment of the render: the clock changes from then on are checked (see
 * compensation.ts); without it they are not.
 */
export function checkSystemdJob(job: Job, ctx: RenderContext, now?: Date): string[] {
  const problems: string[] = [];
  const s = job.schedule;
  if (s.kind === 'cron') {
    try {
      parseCron(s.expr);
      const refusal = now ? clockChangeCompensation(s, job.timezone, now).refusal : undefined;
      if (refusal) problems.push(`schedule '${s.expr}': ${refusal}`);
    } catch (e) {
      problems.push(`schedule '${s.expr}' is not a valid cron expression: ${(e as Error).message}`);
    }
  }
  for (const [key, value] of Object.entries(job.env)) {
    if (!ENV_NAME.test(key))
      problems.push(
        `env name '${key}' is not a valid environment variable name for systemd (letters, digits, _; not starting with a digit)`,
      );
    if (CONTROL.test(value)) {
      problems.push(
        `env '${key}' contains a newline or another control character, which systemd's Environment= cannot hold exactly. Put it in the env_file instead (read by sched run).`,
      );
    }
  }
  const paths: [string, string | undefined][] = [
    ['working_dir', job.workingDir],
    ['env_file', job.envFile],
    ['the node path', ctx.nodePath],
  ];
  for (const [what, p] of paths) {
    if (p === undefined) continue;
    if (!p.startsWith('/')) problems.push(`${what} '${p}' must be an absolute path for systemd`);
    else if (
      CONTROL.test(p) ||
      p.includes('\\') ||
      p.trim() !== p ||
      normalize(p) !== p ||
      (p.length > 1 && p.endsWith('/'))
    ) {
      // systemd stores these paths unquoted and normalised: a backslash (a trailing one continues
      // the line), control characters, surrounding spaces or `.`/`//` would not read back exactly.
      problems.push(
        `${what} '${p}' contains a backslash, control characters, surrounding spaces or non-normalised parts, which systemd cannot hold exactly`,
      );
    }
  }
  // systemd refuses an executable path with quotes or backslashes ("contains special characters"),
  // and does not undo `$$` in it (variable substitution applies to the arguments only).
  if (/["'$]/.test(ctx.nodePath))
    problems.push(
      `the node path '${ctx.nodePath}' contains quotes or '$', which systemd cannot use in an executable name`,
    );
  return problems;
}

const normalize = posix.normalize;

function withHeader(project: string, job: string, body: string): { content: string; hash: string } {
  const hash = contentHash(body);
  return { content: `# ${formatOwnership({ project, job, hash })}\n${body}`, hash };
}

/**
 * The `[Timer]` trigger lines for the job's schedule, rendered at `now`: a cron schedule's calendar,
 * then the explicit-date lines that make it fire as Debian cron does at the clock changes of its
 * zone (compensation.ts). Throws InexpressibleError.
 */
export function triggerLines(job: Job, scope: SystemdScope, now: Date): string[] {
  const s = job.schedule;
  switch (s.kind) {
    case 'cron': {
      const lines = cronToOnCalendar(parseCron(s.expr), job.timezone).map((e) => `OnCalendar=${e}`);
      const comp = clockChangeCompensation(s, job.timezone, now);
      if (comp.refusal) throw new InexpressibleError('systemd', job.name, comp.refusal);
      if (comp.lines.length === 0) return lines;
      return [
        ...lines,
        compensationComment(job.timezone, comp.until),
        ...comp.lines.map((e) => `OnCalendar=${e}`),
      ];
    }
    case 'at': {
      const [instant] = nextFireTimes(s, job.timezone, new Date(0), 1);
      if (!instant)
        throw new InexpressibleError(
          'systemd',
          job.name,
          `one-shot '${s.local}' has no fire time in ${job.timezone}`,
        );
      return [`OnCalendar=${instantToOnCalendar(instant)}`];
    }
    case 'event':
      // `wake` is "once when the machine starts or wakes": the start is this timer, the resumes
      // are the project's wake listener (wake-unit.ts), which starts the same service.
      return [scope === 'user' ? 'OnStartupSec=0' : 'OnBootSec=0'];
  }
}

/**
 * Renders the service and timer of an enabled job; disabled jobs render nothing. `now` fixes the
 * clock-change window (the same output for years, see compensation.ts).
 */
export function renderSystemdJob(job: Job, ctx: RenderContext, scope: SystemdScope, now: Date): Artifact[] {
  if (!job.enabled) return [];
  const problems = checkSystemdJob(job, ctx, now);
  if (problems.length > 0) throw new InexpressibleError('systemd', job.name, problems.join('; '));
  const svc = serviceName(job.project, job.name);
  const tmr = timerName(job.project, job.name);

  const desc = job.description
    ? `sched ${job.project}/${job.name}: ${job.description}`
    : `sched ${job.project}/${job.name}`;
  const service: string[] = [
    '[Unit]',
    `Description=${escapeText(desc)}`,
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${renderExecStart(serviceArgv(job, ctx, scope))}`,
    `WorkingDirectory=${escapePath(job.workingDir)}`,
  ];
  // No EnvironmentFile=: `sched run` reads the env_file itself, so a missing or bad file fails
  // the run loudly and is recorded in its history, instead of failing the unit before sched starts.
  for (const key of Object.keys(job.env).sort()) {
    service.push(`Environment=${quoteWord(`${key}=${job.env[key]!}`, false)}`);
  }
  const timer: string[] = [
    '[Unit]',
    `Description=${escapeText(`sched timer for ${job.project}/${job.name}`)}`,
    '',
    '[Timer]',
  ];
  timer.push(...triggerLines(job, scope, now));
  timer.push('AccuracySec=1s');
  if (job.schedule.kind !== 'event') timer.push(`Persistent=${job.catchUp ? 'true' : 'false'}`);
  if (job.jitterSeconds > 0) timer.push(`RandomizedDelaySec=${job.jitterSeconds}s`);
  timer.push(`Unit=${svc}`, '', '[Install]', 'WantedBy=timers.target');

  const s = withHeader(job.project, job.name, service.join('\n') + '\n');
  const t = withHeader(job.project, job.name, timer.join('\n') + '\n');
  return [
    { id: svc, job: job.name, kind: 'service', content: s.content, hash: s.hash },
    { id: tmr, job: job.name, kind: 'timer', content: t.content, hash: t.hash },
  ];
}

/**
 * Sentences for `plan` about how the systemd timer treats this job at clock changes and boot:
 * the runs a clock change in the next `days` days moves or doubles (the timer follows Debian
 * cron's rule through its compensation lines), how far that compensation reaches, and boot jobs
 * running once when their timer is (re)started. Pure; empty for most jobs.
 */
export function systemdNotes(job: Job, from: Date, days = 366): string[] {
  const notes: string[] = [];
  const s = job.schedule;
  if (s.kind === 'event') {
    notes.push(
      `systemd starts a ${s.event} timer at once when it is enabled after boot, so applying (or changing) this job also runs it once now`,
    );
  }
  if (s.kind === 'event' && s.event === 'wake') {
    notes.push(
      "on each resume from sleep the project's wake listener starts it; the listener needs the system D-Bus (logind) and gdbus (Debian/Ubuntu: libglib2.0-bin)",
    );
  }
  if (s.kind === 'cron') {
    let comp;
    try {
      comp = clockChangeCompensation(s, job.timezone, from);
    } catch {
      return notes; // invalid expression: check() reports it
    }
    if (comp.refusal) return notes; // check() refuses the job with the reason
    notes.push(...dstNotes(job, SYSTEMD_CLOCK_CHANGES, from, days));
    if (comp.lines.length > 0) {
      const until = comp.until.toISOString().slice(0, 10);
      notes.push(
        `clock changes compensated until ${until}: the timer has ${comp.lines.length} explicit OnCalendar= line${comp.lines.length === 1 ? '' : 's'} (UTC) for the runs Debian cron makes at the ${comp.affected} clock change${comp.affected === 1 ? '' : 's'} in ${job.timezone} from ${comp.from.toISOString().slice(0, 4)}; \`sched apply\` renews them from ${new Date(Date.UTC(comp.from.getUTCFullYear() + RENEW_EVERY_YEARS, 0, 1)).toISOString().slice(0, 10)}`,
      );
    }
  }
  return notes;
}
