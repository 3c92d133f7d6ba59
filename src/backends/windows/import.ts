/**
 * Pure conversion of a foreign scheduled task (Task XML, as `schtasks /Query /XML ONE` lists it)
 * into a job proposal, best effort: one CalendarTrigger (by day, by week, by month) whose times
 * and days are one cron expression, one Exec action. Everything else — several triggers (a
 * union), DaysInterval/WeeksInterval above 1, "last day", "first Monday", an EndBoundary, a
 * repetition that is not a grid of hours × minutes — is refused with the reason.
 */
import { parseTaskXml } from './parse.js';
import { canEverFire, parseCron } from '../../schedule/cron.js';
import type { TaskCalendarTrigger } from '../../schedule/to-tasktrigger.js';
import type { ImportSource, UnnamedProposal } from '../../import/types.js';

/** Days in each month at least (February: 28): a ByMonth day beyond it is ambiguous. */
const MIN_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** One calendar trigger as a cron expression, or why not. */
export function taskTriggerToCron(t: TaskCalendarTrigger): { cron: string } | { reason: string } {
  const times: [number, number][] = [];
  for (let k = 0; k < t.time.count; k++) {
    const m = t.time.startMinute + k * t.time.intervalMinutes;
    if (m >= 24 * 60) break; // repetition does not run past the day in sched's reading; refuse below if it would
    times.push([Math.floor(m / 60), m % 60]);
  }
  if (t.time.startMinute + (t.time.count - 1) * t.time.intervalMinutes >= 24 * 60) {
    return { reason: 'cannot import exactly: its repetition runs past midnight into the next day' };
  }
  const hours = [...new Set(times.map(([h]) => h))].sort((a, b) => a - b);
  const minutes = [...new Set(times.map(([, m]) => m))].sort((a, b) => a - b);
  if (hours.length * minutes.length !== times.length) {
    return {
      reason: 'cannot import exactly: its times of day are not every combination of hours and minutes',
    };
  }
  const list = (xs: number[], all: number) => (xs.length === all ? '*' : xs.join(','));
  let day = '*';
  let month = '*';
  let weekday = '*';
  const s = t.schedule;
  if (s.kind === 'week') {
    if (s.weekdays.length === 0) return { reason: 'cannot import exactly: a weekly trigger with no weekday' };
    weekday = list(
      [...s.weekdays].sort((a, b) => a - b),
      7,
    );
  } else if (s.kind === 'month') {
    if (s.days.includes('Last'))
      return { reason: "cannot import exactly: 'last day of the month' has no cron form" };
    const days = (s.days as number[]).slice().sort((a, b) => a - b);
    const ambiguous = s.months.find((m) => days.some((d) => d > MIN_DAYS[m]!));
    if (ambiguous)
      return { reason: `cannot import exactly: a day the month ${ambiguous} does not always have` };
    day = list(days, 31);
    month = list(
      [...s.months].sort((a, b) => a - b),
      12,
    );
  }
  const cron = `${list(minutes, 60)} ${list(hours, 24)} ${day} ${month} ${weekday}`;
  if (!canEverFire(parseCron(cron))) return { reason: 'cannot import exactly: it never fires' };
  return { cron };
}

export interface TaskOptions {
  homeDir: string;
  hostTimezone: string;
  defaultTimezone?: string;
}

/**
 * A task as a proposal; undefined when it is disabled or has no trigger sched could use; a
 * refusal with the reason otherwise.
 */
export function convertTask(
  taskPath: string,
  xml: string,
  options: TaskOptions,
): UnnamedProposal | { source: ImportSource; reason: string } | undefined {
  const source: ImportSource = {
    scheduler: 'windows',
    where: `task ${taskPath}`,
    original: taskPath,
    id: taskPath,
  };
  const refuse = (reason: string) => ({ source, reason });
  let task;
  try {
    task = parseTaskXml(xml);
  } catch (err) {
    return refuse(`cannot import exactly: ${(err as Error).message}`);
  }
  if (!task.enabled) return undefined;
  if (task.triggers.length === 0) return undefined;
  if (task.triggers.length > 1)
    return refuse('cannot import exactly: several triggers (a union) do not fit one cron expression');
  for (const [tag, what] of [
    ['DaysInterval', 'every N days'],
    ['WeeksInterval', 'every N weeks'],
  ] as const) {
    const m = new RegExp(`<${tag}>\\s*(\\d+)\\s*</${tag}>`).exec(xml);
    if (m && m[1] !== '1') return refuse(`cannot import exactly: ${what} (${tag} ${m[1]}) has no cron form`);
  }
  if (/<EndBoundary>/.test(xml))
    return refuse('cannot import exactly: the trigger ends at a date (EndBoundary); cron has no end');
  const start = /<StartBoundary>\s*([^<]+?)\s*<\/StartBoundary>/.exec(xml)?.[1];
  if (start && !/T\d\d:\d\d(:00(\.0+)?)?$/.test(start)) {
    return refuse(
      `cannot import exactly: the start ${start} has seconds or a zone; cron fires at whole minutes in local time`,
    );
  }
  const trigger = task.triggers[0]!;
  let schedule: string;
  if (trigger.kind === 'boot') schedule = 'boot';
  else if (trigger.kind === 'calendar') {
    const c = taskTriggerToCron(trigger.trigger);
    if ('reason' in c) return refuse(c.reason);
    schedule = c.cron;
  } else if (trigger.kind === 'once') {
    return refuse(`a one-shot at ${trigger.local}: add it by hand as schedule: { at: "${trigger.local}" }`);
  } else {
    return refuse(
      `cannot import exactly: a ${trigger.kind === 'wake' ? 'event' : trigger.element} trigger has no cron form`,
    );
  }
  if (!task.command) return refuse('the task has no Exec action');
  const argv = [task.command, ...task.args];
  if (argv.some((a) => /%\w+%/.test(a)))
    return refuse('cannot import exactly: the command uses %VARIABLES% that Task Scheduler expands');
  const notes = [`imported from scheduled task ${taskPath}`];
  if (/<RandomDelay>/.test(xml)) notes.push('RandomDelay was not imported; set jitter: if you want it');
  if (start) notes.push(`the trigger started at ${start}; the job starts now`);
  const proposal: UnnamedProposal = {
    schedule,
    command: argv,
    notes,
    source,
    nameHint: taskPath.split('\\').filter(Boolean).at(-1) ?? taskPath,
  };
  const wd = /<WorkingDirectory>\s*([^<]+?)\s*<\/WorkingDirectory>/.exec(xml)?.[1];
  if (wd) proposal.working_dir = wd;
  else
    notes.push(
      'Task Scheduler started it in %windir%\\system32 (no WorkingDirectory); sched starts it in the working_dir of schedules.yaml',
    );
  if (task.description) proposal.description = task.description;
  if (task.startWhenAvailable) proposal.catch_up = true;
  if ((options.defaultTimezone ?? options.hostTimezone) !== options.hostTimezone)
    proposal.timezone = options.hostTimezone;
  return proposal;
}
