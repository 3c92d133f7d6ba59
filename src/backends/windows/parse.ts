/**
 * Reads Task XML back to the fields sched sets. Pure. Accepts sched's own output and what
 * `schtasks /Query /XML` returns for it (re-serialised, defaults added).
 */
import type { OverlapPolicy } from '../../model/job.js';
import { parseOwnership, type Ownership } from '../header.js';
import type { TaskCalendarTrigger, TaskDaySchedule } from '../../schedule/to-tasktrigger.js';
import { MONTH_NAMES } from '../../schedule/to-tasktrigger.js';
import { parseTaskNodes } from './normalize.js';
import { splitWindowsArgs } from './quote.js';

type Node = Record<string, unknown>;

export type ParsedTrigger =
  | { kind: 'calendar'; trigger: TaskCalendarTrigger }
  | { kind: 'once'; local: string }
  | { kind: 'boot' }
  | { kind: 'wake'; subscription: string }
  | { kind: 'other'; element: string };

export interface ParsedTask {
  ownership?: Ownership;
  uri?: string;
  description?: string;
  triggers: ParsedTrigger[];
  overlap?: OverlapPolicy;
  startWhenAvailable: boolean;
  /** Seconds; 0 = no limit; undefined = not set (Windows' default, 72 h). */
  executionTimeLimitSeconds?: number;
  enabled: boolean;
  command?: string;
  /** Arguments split with CommandLineToArgvW rules. */
  args: string[];
}

const POLICY: Record<string, OverlapPolicy> = {
  IgnoreNew: 'skip',
  Queue: 'queue',
  StopExisting: 'replace',
  Parallel: 'allow',
};
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function nameOf(n: Node): string | undefined {
  return Object.keys(n).find((k) => k !== ':@');
}
function kids(n: Node): Node[] {
  const name = nameOf(n);
  return name ? ((n[name] ?? []) as Node[]) : [];
}
function child(n: Node | undefined, name: string): Node | undefined {
  return n ? kids(n).find((k) => nameOf(k) === name) : undefined;
}
function children(n: Node | undefined, name: string): Node[] {
  return n ? kids(n).filter((k) => nameOf(k) === name) : [];
}
function text(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  return kids(n)
    .filter((k) => '#text' in k)
    .map((k) => String(k['#text']))
    .join('');
}
function bool(n: Node | undefined, dflt: boolean): boolean {
  const t = text(n)?.trim();
  if (t === undefined || t === '') return dflt;
  return t === 'true' || t === '1';
}

/** Seconds of an xs:duration with D/H/M/S parts. */
export function durationSeconds(d: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d.trim());
  if (!m) throw new Error(`unsupported duration '${d}'`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

function calendar(n: Node): TaskCalendarTrigger {
  const start = text(child(n, 'StartBoundary')) ?? '';
  const tm = /T(\d{2}):(\d{2})/.exec(start);
  if (!tm) throw new Error(`CalendarTrigger without a usable StartBoundary '${start}'`);
  const startMinute = Number(tm[1]) * 60 + Number(tm[2]);
  const rep = child(n, 'Repetition');
  let time = { startMinute, intervalMinutes: 0, count: 1 };
  if (rep) {
    const interval = durationSeconds(text(child(rep, 'Interval')) ?? '') / 60;
    const durText = text(child(rep, 'Duration'));
    if (!durText) throw new Error('Repetition without Duration (runs indefinitely) is not a sched trigger');
    const dur = durationSeconds(durText);
    // Runs at k·interval for k·interval < duration (sched never emits an exact multiple).
    const count = Math.floor((dur - 1) / (interval * 60)) + 1;
    time = { startMinute, intervalMinutes: interval, count };
  }
  let schedule: TaskDaySchedule;
  const byDay = child(n, 'ScheduleByDay');
  const byWeek = child(n, 'ScheduleByWeek');
  const byMonth = child(n, 'ScheduleByMonth');
  if (byDay) {
    schedule = { kind: 'day' };
  } else if (byWeek) {
    const dow = child(byWeek, 'DaysOfWeek');
    schedule = {
      kind: 'week',
      weekdays: WEEKDAYS.map((w, i) => (child(dow, w) ? i : -1)).filter((i) => i >= 0),
    };
  } else if (byMonth) {
    const days = children(child(byMonth, 'DaysOfMonth'), 'Day').map((d) => {
      const t = (text(d) ?? '').trim();
      return t === 'Last' ? ('Last' as const) : Number(t);
    });
    const monthsNode = child(byMonth, 'Months');
    const months = monthsNode
      ? MONTH_NAMES.map((m, i) => (i > 0 && child(monthsNode, m) ? i : -1)).filter((i) => i > 0)
      : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    schedule = { kind: 'month', days, months };
  } else {
    throw new Error('CalendarTrigger with a schedule sched does not emit');
  }
  return { schedule, time };
}

/** Parses Task XML text (without BOM). Throws an Error with a plain message when it is not a task. */
export function parseTaskXml(xml: string): ParsedTask {
  const nodes = parseTaskNodes(xml);
  const task = nodes.find((n) => nameOf(n) === 'Task');
  if (!task) throw new Error('not a task: no <Task> element');
  const reg = child(task, 'RegistrationInfo');
  const settings = child(task, 'Settings');
  const exec = child(child(task, 'Actions'), 'Exec');
  const triggers: ParsedTrigger[] = kids(child(task, 'Triggers') ?? { Triggers: [] })
    .filter((k) => !('#text' in k) && !('#comment' in k))
    .map((t): ParsedTrigger => {
      const name = nameOf(t)!;
      if (name === 'CalendarTrigger') return { kind: 'calendar', trigger: calendar(t) };
      if (name === 'TimeTrigger') {
        const sb = text(child(t, 'StartBoundary')) ?? '';
        return { kind: 'once', local: sb.replace('T', ' ').slice(0, 16) };
      }
      if (name === 'BootTrigger') return { kind: 'boot' };
      if (name === 'EventTrigger')
        return { kind: 'wake', subscription: text(child(t, 'Subscription')) ?? '' };
      return { kind: 'other', element: name };
    });
  const out: ParsedTask = {
    triggers,
    startWhenAvailable: bool(child(settings, 'StartWhenAvailable'), false),
    enabled: bool(child(settings, 'Enabled'), true),
    args: splitWindowsArgs(text(child(exec, 'Arguments')) ?? ''),
  };
  const source = text(child(reg, 'Source'));
  const own = source ? parseOwnership(source) : undefined;
  if (own) out.ownership = own;
  const uri = text(child(reg, 'URI'));
  if (uri !== undefined) out.uri = uri;
  const description = text(child(reg, 'Description'));
  if (description !== undefined) out.description = description;
  const policy = text(child(settings, 'MultipleInstancesPolicy'))?.trim();
  out.overlap = POLICY[policy ?? 'IgnoreNew'];
  const limit = text(child(settings, 'ExecutionTimeLimit'));
  if (limit !== undefined) out.executionTimeLimitSeconds = durationSeconds(limit);
  const command = text(child(exec, 'Command'));
  if (command !== undefined) out.command = command;
  return out;
}
