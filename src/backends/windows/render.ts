/**
 * Windows Task Scheduler tasks for sched jobs: Task XML version 1.3 registered as
 * `\sched\<project>\<job>`. Pure: the same job and context always give the same text.
 *
 * - The file is UTF-16 LE with a BOM and a matching declaration (`encodeTaskXml`); the artifact
 *   content is the text, the bytes are made only when writing.
 * - Windows drops XML comments when it re-serialises a task, so the ownership header lives in
 *   `RegistrationInfo/Source`. Its hash covers the normalised task without that element
 *   (`normalizeTaskXml`), so a task Windows re-serialised still has the same hash.
 * - The action runs `sched run` (node + bin/run.js) with Windows quoting (CommandLineToArgvW).
 */
import type { Job, OverlapPolicy } from '../../model/job.js';
import { isValidJobName, isValidProjectName } from '../../model/job.js';
import { InexpressibleError, UserError } from '../../errors.js';
import { contentHash, formatOwnership } from '../header.js';
import { runInvocation } from '../invocation.js';
import type { Artifact, RenderContext } from '../types.js';
import { parseCron } from '../../schedule/cron.js';
import {
  cronToTaskTriggers,
  MONTH_NAMES,
  repetitionDurationSeconds,
  type TaskCalendarTrigger,
} from '../../schedule/to-tasktrigger.js';
import { canonicalTaskXml, escapeTaskText, normalizeTaskXml } from './normalize.js';
import { quoteWindowsArgs } from './quote.js';

export const TASK_NAMESPACE = 'http://schemas.microsoft.com/windows/2004/02/mit/task';

/** `\sched\<project>\<job>`; `\sched\<project>\` for the folder. */
export function taskPath(project: string, job: string): string {
  return `\\sched\\${project}\\${job}`;
}

export function taskFolder(project: string): string {
  return `\\sched\\${project}\\`;
}

export function taskFileName(job: string): string {
  return `${job}.xml`;
}

/** Task XML text as the bytes Windows expects: UTF-16 LE with a BOM. */
export function encodeTaskXml(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** Bytes (UTF-16 LE/BE with BOM, or UTF-8) → text without a BOM. */
export function decodeTaskXml(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b[0] === 0xfe && b[1] === 0xff) {
    const swapped = Buffer.from(b.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const s = b.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** How a job's schedule becomes triggers. */
export type WindowsTrigger =
  | { kind: 'calendar'; triggers: TaskCalendarTrigger[] }
  | { kind: 'once'; local: string }
  | { kind: 'boot' }
  | { kind: 'wake' };

export function windowsTrigger(
  job: Job,
  hostTimezone: string,
): WindowsTrigger | { reason: string; hint: string } {
  const s = job.schedule;
  if (s.kind === 'event') return { kind: s.event };
  if (job.timezone !== hostTimezone) {
    return {
      reason: `its time zone ${job.timezone} differs from this host's zone ${hostTimezone}; Task Scheduler runs triggers in local time (a fixed UTC offset would not follow DST)`,
      hint: `set \`timezone: ${hostTimezone}\` on the job (converting the times), or remove the timezone so the host's is used.`,
    };
  }
  if (s.kind === 'at') return { kind: 'once', local: s.local };
  const conv = cronToTaskTriggers(parseCron(s.expr));
  if (!conv.ok) return { reason: `schedule '${s.expr}': ${conv.reason}`, hint: conv.hint };
  return { kind: 'calendar', triggers: conv.triggers };
}

/** `%VAR%` in an Exec action is expanded by Task Scheduler and has no escape: refuse `%` there. */
function actionProblems(ctx: RenderContext): string[] {
  const out: string[] = [];
  for (const [what, p] of [
    ['node path', ctx.nodePath],
    ['sched path', ctx.schedBin],
  ] as const) {
    if (p.includes('%'))
      out.push(`the ${what} '${p}' contains '%', which Task Scheduler expands as an environment variable`);
    if (p.length === 0 || p.length > 260) out.push(`the ${what} must be 1–260 characters`);
  }
  return out;
}

export function checkWindowsJob(job: Job, ctx: RenderContext): string[] {
  const out: string[] = [];
  const t = windowsTrigger(job, ctx.hostTimezone);
  if ('reason' in t)
    out.push(new InexpressibleError('windows', job.name, t.reason, t.hint).message + `. Hint: ${t.hint}`);
  for (const p of actionProblems(ctx))
    out.push(`job '${job.name}': ${p}. Hint: install node and sched in a path without '%'.`);
  return out;
}

/** XML text escaping (element content). Characters XML 1.0 cannot carry are refused. */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s)) {
    throw new UserError(`text contains a control character that XML cannot carry: ${JSON.stringify(s)}`);
  }
  return escapeTaskText(s);
}

/** xs:duration text for whole seconds, e.g. PT8H46M, PT30S, P1DT2H. */
export function isoDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return 'PT0S';
  let s = totalSeconds;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = 'P' + (d ? `${d}D` : '');
  if (h || m || s) out += 'T' + (h ? `${h}H` : '') + (m ? `${m}M` : '') + (s ? `${s}S` : '');
  return out;
}

const OVERLAP_POLICY: Record<OverlapPolicy, string> = {
  skip: 'IgnoreNew',
  queue: 'Queue',
  replace: 'StopExisting',
  allow: 'Parallel',
};

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** A fixed date before any job: triggers need a StartBoundary; the date only anchors the time. */
const ANCHOR_DATE = '2000-01-01';
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Event that Windows logs on resume from sleep (Power-Troubleshooter, event 1). */
export const WAKE_SUBSCRIPTION =
  '<QueryList><Query Id="0" Path="System"><Select Path="System">*[System[Provider[@Name=\'Microsoft-Windows-Power-Troubleshooter\'] and EventID=1]]</Select></Query></QueryList>';

function calendarTriggerXml(t: TaskCalendarTrigger, ind: string): string {
  const lines: string[] = [];
  const start = `${ANCHOR_DATE}T${pad2(Math.floor(t.time.startMinute / 60))}:${pad2(t.time.startMinute % 60)}:00`;
  lines.push(`${ind}<CalendarTrigger>`);
  lines.push(`${ind}  <StartBoundary>${start}</StartBoundary>`);
  if (t.time.count > 1) {
    lines.push(`${ind}  <Repetition>`);
    lines.push(`${ind}    <Interval>${isoDuration(t.time.intervalMinutes * 60)}</Interval>`);
    lines.push(`${ind}    <Duration>${isoDuration(repetitionDurationSeconds(t.time))}</Duration>`);
    lines.push(`${ind}  </Repetition>`);
  }
  const s = t.schedule;
  if (s.kind === 'day') {
    lines.push(
      `${ind}  <ScheduleByDay>`,
      `${ind}    <DaysInterval>1</DaysInterval>`,
      `${ind}  </ScheduleByDay>`,
    );
  } else if (s.kind === 'week') {
    lines.push(
      `${ind}  <ScheduleByWeek>`,
      `${ind}    <WeeksInterval>1</WeeksInterval>`,
      `${ind}    <DaysOfWeek>`,
    );
    // Monday-first, as Windows writes them.
    for (const w of [1, 2, 3, 4, 5, 6, 0])
      if (s.weekdays.includes(w)) lines.push(`${ind}      <${WEEKDAY_NAMES[w]} />`);
    lines.push(`${ind}    </DaysOfWeek>`, `${ind}  </ScheduleByWeek>`);
  } else {
    lines.push(`${ind}  <ScheduleByMonth>`, `${ind}    <DaysOfMonth>`);
    for (const d of s.days) lines.push(`${ind}      <Day>${d}</Day>`);
    lines.push(`${ind}    </DaysOfMonth>`, `${ind}    <Months>`);
    for (const m of s.months) lines.push(`${ind}      <${MONTH_NAMES[m]} />`);
    lines.push(`${ind}    </Months>`, `${ind}  </ScheduleByMonth>`);
  }
  lines.push(`${ind}</CalendarTrigger>`);
  return lines.join('\n');
}

function triggersXml(t: WindowsTrigger): string {
  const ind = '    ';
  switch (t.kind) {
    case 'calendar':
      return t.triggers.map((c) => calendarTriggerXml(c, ind)).join('\n');
    case 'once':
      return `${ind}<TimeTrigger>\n${ind}  <StartBoundary>${t.local.replace(' ', 'T')}:00</StartBoundary>\n${ind}</TimeTrigger>`;
    case 'boot':
      return `${ind}<BootTrigger />`;
    case 'wake':
      return `${ind}<EventTrigger>\n${ind}  <Subscription>${xmlEscape(WAKE_SUBSCRIPTION)}</Subscription>\n${ind}</EventTrigger>`;
  }
}

/**
 * Seconds Task Scheduler lets a run take: the job's timeout plus one minute, so the wrapper
 * (which enforces the timeout itself and records it) is never killed first; PT0S = no limit.
 */
export function executionTimeLimitSeconds(job: Job): number {
  return job.timeoutSeconds ? job.timeoutSeconds + 60 : 0;
}

/** The task XML without the ownership element, `source` inserted where given. */
function taskXml(job: Job, ctx: RenderContext, trigger: WindowsTrigger, source?: string): string {
  const argv = runInvocation(ctx, 'windows', job.project, job.name);
  const reg: string[] = [];
  if (job.description) reg.push(`    <Description>${xmlEscape(job.description)}</Description>`);
  if (source) reg.push(`    <Source>${xmlEscape(source)}</Source>`);
  reg.push(`    <URI>${xmlEscape(taskPath(job.project, job.name))}</URI>`);
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    `<Task version="1.3" xmlns="${TASK_NAMESPACE}">`,
    '  <RegistrationInfo>',
    ...reg,
    '  </RegistrationInfo>',
    '  <Triggers>',
    triggersXml(trigger),
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    `    <MultipleInstancesPolicy>${OVERLAP_POLICY[job.overlap]}</MultipleInstancesPolicy>`,
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    `    <StartWhenAvailable>${job.catchUp ? 'true' : 'false'}</StartWhenAvailable>`,
    `    <ExecutionTimeLimit>${isoDuration(executionTimeLimitSeconds(job))}</ExecutionTimeLimit>`,
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlEscape(argv[0]!)}</Command>`,
    `      <Arguments>${xmlEscape(quoteWindowsArgs(argv.slice(1)))}</Arguments>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\n');
}

/** Hash of a task as sched sees it: normalised, without the Source element. */
export function taskHash(xml: string): string {
  return contentHash(normalizeTaskXml(xml, { dropSource: true }));
}

/** Renders one job's task. Throws InexpressibleError when it cannot be exact. */
export function renderWindowsJob(job: Job, ctx: RenderContext): Artifact {
  if (!isValidProjectName(job.project)) throw new UserError(`invalid project name '${job.project}'`);
  if (!isValidJobName(job.name)) throw new UserError(`invalid job name '${job.name}'`);
  const t = windowsTrigger(job, ctx.hostTimezone);
  if ('reason' in t) throw new InexpressibleError('windows', job.name, t.reason, t.hint);
  const problems = actionProblems(ctx);
  if (problems.length > 0)
    throw new UserError(
      `job '${job.name}': ${problems.join('; ')}`,
      "install node and sched in a path without '%'.",
    );
  const hash = taskHash(taskXml(job, ctx, t));
  // Written in the canonical layout, so what Windows returns normalises to the same text.
  const content = canonicalTaskXml(
    taskXml(job, ctx, t, formatOwnership({ project: job.project, job: job.name, hash })),
  );
  return { id: taskFileName(job.name), job: job.name, kind: 'task', content, hash };
}
