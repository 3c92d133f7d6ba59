/**
 * Proof of the cron → StartCalendarInterval and cron → Task Scheduler conversions by fire times:
 * for every expression, the instants obtained by evaluating the native form with an independent
 * evaluator of the documented rules equal the schedule engine's (`sched next`) over two years
 * (2027–2028, one leap day), or the expression is rejected with a reason.
 */
import { describe, expect, it } from 'vitest';
import { parseCron } from '../../../src/schedule/cron.js';
import { fireTimesBetween } from '../../../src/schedule/occurrences.js';
import { cronToLaunchd } from '../../../src/schedule/to-launchd.js';
import { cronToTaskTriggers, repetitionDurationSeconds } from '../../../src/schedule/to-tasktrigger.js';
import { expandLaunchd } from '../oracles/launchd.js';
import { expandTaskTriggers } from '../oracles/tasktrigger.js';
import type { Schedule } from '../../../src/model/job.js';
import { EXPRESSIONS } from './expressions.js';

const unique = [...new Set(EXPRESSIONS)];
// 13½ months: a non-leap February (2027) and a leap one (2028).
const FROM = new Date('2027-02-01T00:00:00Z');
const TO = new Date('2028-03-15T00:00:00Z');
const cron = (expr: string): Schedule => ({ kind: 'cron', expr, source: expr });
const ms = (ds: Date[]): number[] => ds.map((d) => d.getTime());

/** Equal instant lists; on a difference, shows the first one (a million-element diff is useless). */
function expectSameInstants(got: Date[], want: Date[]): void {
  const a = ms(got);
  const b = ms(want);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (x: number | undefined): string => (x === undefined ? 'nothing' : new Date(x).toISOString());
  expect(`${a.length} instants, first difference at #${i}: ${show(a[i])}`).toBe(
    `${b.length} instants, first difference at #${i}: ${show(b[i])}`,
  );
}

const wantCache = new Map<string, Date[]>();
function want(expr: string): Date[] {
  let w = wantCache.get(expr);
  if (!w) {
    w = fireTimesBetween(cron(expr), 'UTC', FROM, TO);
    wantCache.set(expr, w);
  }
  return w;
}

/** Drops instants on the local dates of DST changes (launchd's and Windows' behaviour there is undocumented). */
function offTransitionDays(ds: Date[], zone: string, skip: readonly string[]): Date[] {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return ds.filter((d) => !skip.includes(f.format(d)));
}
const BERLIN_DST_DAYS = ['2027-03-28', '2027-10-31', '2028-03-26', '2028-10-29'];

describe('conversion expressions', () => {
  it('has at least 100 distinct expressions', () => {
    expect(unique.length).toBeGreaterThanOrEqual(100);
  });
});

const launchdRejects: Record<string, string[]> = {};
const windowsRejects: Record<string, string[]> = {};

describe('cron → launchd StartCalendarInterval: same instants as the schedule engine', () => {
  for (const expr of unique) {
    it(expr, () => {
      const conv = cronToLaunchd(parseCron(expr));
      if (!conv.ok) {
        expect(conv.reason.length).toBeGreaterThan(10);
        expect(conv.hint.length).toBeGreaterThan(10);
        (launchdRejects[conv.code] ??= []).push(expr);
        return;
      }
      for (const d of conv.dicts) {
        // Never the combinations whose meaning differs between sources.
        expect(d.Weekday !== undefined && (d.Day !== undefined || d.Month !== undefined)).toBe(false);
      }
      expectSameInstants(expandLaunchd(conv.dicts, FROM, TO, 'UTC'), want(expr));
    });
  }
});

describe('cron → Task Scheduler triggers: same instants under both readings of Repetition Duration', () => {
  for (const expr of unique) {
    it(expr, () => {
      const conv = cronToTaskTriggers(parseCron(expr));
      if (!conv.ok) {
        expect(conv.reason.length).toBeGreaterThan(10);
        (windowsRejects[conv.code] ??= []).push(expr);
        return;
      }
      expect(conv.triggers.length).toBeLessThanOrEqual(48);
      for (const t of conv.triggers) {
        if (t.time.count > 1)
          expect(repetitionDurationSeconds(t.time) % (t.time.intervalMinutes * 60)).not.toBe(0);
      }
      expectSameInstants(expandTaskTriggers(conv.triggers, FROM, TO, 'UTC', true), want(expr));
      expectSameInstants(expandTaskTriggers(conv.triggers, FROM, TO, 'UTC', false), want(expr));
    });
  }
});

describe('in zones other than UTC (fixed offset, and a DST zone away from its transition days)', () => {
  // Every third expression, leaving out the minute-dense ones (the UTC runs cover those).
  const sample = unique.filter((e, i) => i % 3 === 0 && !/^\*(\/[1-5])? /.test(e));
  for (const zone of ['Asia/Kolkata', 'Europe/Berlin']) {
    for (const expr of sample) {
      it(`${zone} ${expr}`, () => {
        const from = new Date('2027-01-01T00:00:00Z');
        const to = new Date('2028-01-01T00:00:00Z');
        const wanted = offTransitionDays(fireTimesBetween(cron(expr), zone, from, to), zone, BERLIN_DST_DAYS);
        const l = cronToLaunchd(parseCron(expr));
        const w = cronToTaskTriggers(parseCron(expr));
        if (!l.ok && !w.ok) return; // rejected by both: covered by the UTC runs
        if (l.ok)
          expectSameInstants(
            offTransitionDays(expandLaunchd(l.dicts, from, to, zone), zone, BERLIN_DST_DAYS),
            wanted,
          );
        if (w.ok)
          expectSameInstants(
            offTransitionDays(expandTaskTriggers(w.triggers, from, to, zone, true), zone, BERLIN_DST_DAYS),
            wanted,
          );
      });
    }
  }
});

describe('rejection summary', () => {
  it('reports how many expressions each backend rejects and why', () => {
    const total = (r: Record<string, string[]>): number => Object.values(r).reduce((n, l) => n + l.length, 0);
    console.log(
      `[conversion] ${unique.length} expressions. launchd rejects ${total(launchdRejects)}: ${JSON.stringify(launchdRejects)}\n` +
        `[conversion] Task Scheduler rejects ${total(windowsRejects)}: ${JSON.stringify(windowsRejects)}`,
    );
    // Every rejection has a known cause; nothing is rejected for want of trying.
    for (const code of Object.keys(launchdRejects))
      expect(['dom-and-dow', 'weekday-with-month', 'feb-29', 'too-many-dicts', 'never-fires']).toContain(
        code,
      );
    for (const code of Object.keys(windowsRejects))
      expect(['dom-and-dow', 'weekday-with-month', 'feb-29', 'too-many-triggers', 'never-fires']).toContain(
        code,
      );
  });
});

describe('the evaluators follow the documented rules (hand-computed cases)', () => {
  const jan = (d: number, h: number, m: number): string => new Date(Date.UTC(2027, 0, d, h, m)).toISOString();
  const from = new Date('2027-01-01T00:00:00Z');
  const to = new Date('2027-01-31T23:59:00Z');
  it('launchd: a dict is an AND of its keys, the array a union, a missing key every value', () => {
    // 2027-01-04 is a Monday.
    const got = expandLaunchd(
      [
        { Hour: 9, Minute: 0, Weekday: 1 },
        { Day: 15, Hour: 12, Minute: 30 },
      ],
      from,
      to,
      'UTC',
    ).map((d) => d.toISOString());
    expect(got).toEqual([jan(4, 9, 0), jan(11, 9, 0), jan(15, 12, 30), jan(18, 9, 0), jan(25, 9, 0)]);
    expect(expandLaunchd([{ Day: 2, Hour: 3 }], from, to, 'UTC').length).toBe(60); // no Minute: every minute of 03:xx
    expect(
      expandLaunchd([{ Weekday: 7, Hour: 0, Minute: 0 }], from, to, 'UTC').map((d) => d.toISOString()),
    ).toEqual([jan(3, 0, 0), jan(10, 0, 0), jan(17, 0, 0), jan(24, 0, 0), jan(31, 0, 0)]);
  });
  it('launchd: refuses the dicts whose meaning sources disagree on', () => {
    expect(() => expandLaunchd([{ Day: 1, Weekday: 1 }], from, to, 'UTC')).toThrow(/ambiguous/);
    expect(() => expandLaunchd([{ Month: 2, Weekday: 1 }], from, to, 'UTC')).toThrow(/ambiguous/);
    expect(() => expandLaunchd([{ Month: 2, Day: 29 }], from, to, 'UTC')).toThrow(/ambiguous/);
    expect(() => expandLaunchd([{ Day: 31 }], from, to, 'UTC')).toThrow(/ambiguous/);
  });
  it('Task Scheduler: repetition from the start time, Duration read both ways, Last day', () => {
    const t = {
      schedule: { kind: 'week' as const, weekdays: [1] },
      time: { startMinute: 9 * 60, intervalMinutes: 20, count: 3 },
    };
    expect(
      expandTaskTriggers([t], from, to, 'UTC', true)
        .map((d) => d.toISOString())
        .slice(0, 4),
    ).toEqual([jan(4, 9, 0), jan(4, 9, 20), jan(4, 9, 40), jan(11, 9, 0)]);
    // Duration = 2·20 min + 1 min: 41 min → runs at +0, +20, +40 under both readings.
    expect(repetitionDurationSeconds(t.time)).toBe(41 * 60);
    const last = {
      schedule: { kind: 'month' as const, days: ['Last' as const], months: [2] },
      time: { startMinute: 0, intervalMinutes: 0, count: 1 },
    };
    const feb = expandTaskTriggers(
      [last],
      new Date('2027-01-01T00:00:00Z'),
      new Date('2029-01-01T00:00:00Z'),
      'UTC',
      true,
    ).map((d) => d.toISOString());
    expect(feb).toEqual(['2027-02-28T00:00:00.000Z', '2028-02-29T00:00:00.000Z']);
  });
  it('Task Scheduler: refuses ByMonth days a listed month lacks', () => {
    const bad = {
      schedule: { kind: 'month' as const, days: [31], months: [4] },
      time: { startMinute: 0, intervalMinutes: 0, count: 1 },
    };
    expect(() => expandTaskTriggers([bad], from, to, 'UTC', true)).toThrow(/ambiguous/);
  });
});
