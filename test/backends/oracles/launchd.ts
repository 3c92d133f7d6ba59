/**
 * `expandLaunchd`: an independent evaluator of launchd's documented StartCalendarInterval rules
 * (launchd.plist(5)), the oracle the launchd tests use to prove `cronToLaunchd` by comparing fire
 * times with cron-parser's, never output shapes. Test-only: no product code runs it. Its zone
 * arithmetic is `./zone.ts`, kept independent of `src/schedule/zoned.ts` on purpose.
 */
import { minDaysInMonth, type LaunchdCalendarDict } from '../../../src/schedule/to-launchd.js';
import { dayResolver, localDays, within } from './zone.js';

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

/**
 * The instants in (from, to] at which launchd fires a job with these StartCalendarInterval
 * dicts, evaluated in `zone` from launchd.plist(5): a missing key matches every value, the
 * array is a union. Dicts whose meaning the documentation leaves open (Day with Weekday, Month
 * with Weekday, a Day some matching month lacks) make it throw: sched must never emit them.
 * In a repeated autumn hour the earlier instant is taken; a time in a spring gap does not fire.
 */
export function expandLaunchd(
  dicts: readonly LaunchdCalendarDict[],
  from: Date,
  to: Date,
  zone: string,
): Date[] {
  for (const d of dicts) {
    if (d.Weekday !== undefined && (d.Day !== undefined || d.Month !== undefined)) {
      throw new Error(`ambiguous launchd dict ${JSON.stringify(d)}: Weekday with Day or Month`);
    }
    if (d.Day !== undefined && d.Day > 28) {
      if (d.Month === undefined || d.Day > minDaysInMonth(d.Month)) {
        throw new Error(`ambiguous launchd dict ${JSON.stringify(d)}: a day some months lack`);
      }
    }
  }
  const result = new Set<number>();
  for (const { year: y, month: mo, day: dd, weekday: wd } of localDays(from, to, zone)) {
    const resolve = dayResolver(y, mo, dd, zone);
    for (const d of dicts) {
      if (d.Month !== undefined && d.Month !== mo) continue;
      if (d.Day !== undefined && d.Day !== dd) continue;
      if (d.Weekday !== undefined && d.Weekday % 7 !== wd) continue;
      const hours = d.Hour === undefined ? range(0, 23) : [d.Hour];
      const minutes = d.Minute === undefined ? range(0, 59) : [d.Minute];
      for (const h of hours) {
        for (const m of minutes) {
          const inst = resolve(h, m);
          if (inst.length > 0) result.add(inst[0]!);
        }
      }
    }
  }
  return within(result, from, to);
}
