/**
 * `expandTaskTriggers`: an independent evaluator of Task Scheduler's documented trigger rules,
 * the oracle the Windows and import tests use to prove `cronToTaskTriggers` (and imported
 * triggers) by comparing fire times. Test-only: no product code runs it. Its zone arithmetic is
 * `./zone.ts`, kept independent of `src/schedule/zoned.ts` on purpose.
 */
import { minDaysInMonth } from '../../../src/schedule/to-launchd.js';
import { repetitionDurationSeconds, type TaskCalendarTrigger } from '../../../src/schedule/to-tasktrigger.js';
import { dayResolver, localDays, within } from './zone.js';

/**
 * Instants in (from, to] at which Task Scheduler fires these triggers, evaluated in `zone` from
 * the documented rules. `durationInclusive` chooses the reading of Repetition Duration's end;
 * sched's output must give the same instants under both. Schedules whose meaning is left open
 * (a ByMonth day some listed month lacks, ByMonthDayOfWeek) make it throw.
 */
export function expandTaskTriggers(
  triggers: readonly TaskCalendarTrigger[],
  from: Date,
  to: Date,
  zone: string,
  durationInclusive: boolean,
): Date[] {
  for (const t of triggers) {
    if (t.schedule.kind === 'month') {
      for (const m of t.schedule.months) {
        for (const d of t.schedule.days) {
          if (d !== 'Last' && d > minDaysInMonth(m))
            throw new Error(`ambiguous ByMonth day ${d} in month ${m}`);
        }
      }
    }
    if (t.time.count > 1 && t.time.intervalMinutes < 1) throw new Error('repetition interval below PT1M');
  }
  const result = new Set<number>();
  // From a day early: a repetition may run past midnight into the next day.
  for (const { year: y, month: mo, day: dd, weekday: wd } of localDays(from, to, zone)) {
    const lastDay = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    for (const t of triggers) {
      const s = t.schedule;
      const fires =
        s.kind === 'day' ||
        (s.kind === 'week' && s.weekdays.includes(wd)) ||
        (s.kind === 'month' &&
          s.months.includes(mo) &&
          (s.days.includes(dd) || (s.days.includes('Last') && dd === lastDay)));
      if (!fires) continue;
      const durationSec = t.time.count > 1 ? repetitionDurationSeconds(t.time) : 0;
      const first = dayResolver(
        y,
        mo,
        dd,
        zone,
      )(Math.floor(t.time.startMinute / 60), t.time.startMinute % 60);
      if (first.length === 0) continue; // a start time in a DST gap: undocumented, never compared
      // Repetitions are a fixed elapsed interval after the first run.
      for (let k = 0; ; k++) {
        const offsetSec = k * t.time.intervalMinutes * 60;
        if (k > 0) {
          if (t.time.count <= 1) break;
          if (durationInclusive ? offsetSec > durationSec : offsetSec >= durationSec) break;
        }
        result.add(first[0]! + offsetSec * 1000);
        if (t.time.count <= 1) break;
      }
    }
  }
  return within(result, from, to);
}
