/**
 * The clock-change compensation of systemd timers, case by case (the broad proof against systemd
 * itself and Debian's cron is clock-changes.slow.test.ts): which explicit lines, the window, and
 * reading the window back from a rendered timer.
 */
import { describe, expect, it } from 'vitest';
import {
  CLOCK_CHANGE_YEARS,
  clockChangeCompensation,
  compensatedUntil,
  compensationWindow,
  isExplicitUtcLine,
  utcLines,
} from '../../../src/backends/systemd/compensation.js';
import { renderSystemdJob } from '../../../src/backends/systemd/render.js';
import type { Schedule } from '../../../src/model/job.js';
import { CTX, makeJob } from './fixtures.js';

const cron = (expr: string): Schedule => ({ kind: 'cron', expr, source: expr });
const NOW = new Date('2025-06-01T00:00:00Z');

describe('clock-change compensation', () => {
  it('a fixed time in the spring gap runs right after the jump (Berlin 02:30 → 03:00 CEST = 01:00Z)', () => {
    const c = clockChangeCompensation(cron('30 2 * * *'), 'Europe/Berlin', NOW);
    expect(c.refusal).toBeUndefined();
    expect(c.lines[0]).toBe('2025-03-30 01:00:00 UTC');
    expect(c.lines).toHaveLength(15); // one spring change a year, 2025–2039
    expect(c.lines.every(isExplicitUtcLine)).toBe(true);
  });

  it('a wildcard job gets the second pass of the repeated hour (New York, 0 * * * *: 06:00Z)', () => {
    const c = clockChangeCompensation(cron('0 * * * *'), 'America/New_York', NOW);
    expect(c.lines).toContain('2025-11-02 06:00:00 UTC');
    expect(c.lines.filter((l) => l.startsWith('2025-'))).toEqual(['2025-11-02 06:00:00 UTC']);
    const minutely = clockChangeCompensation(cron('* * * * *'), 'America/New_York', NOW);
    expect(minutely.lines[0]).toBe('2025-11-02 06:*:00 UTC');
    const fiveMin = clockChangeCompensation(cron('*/5 1 * * *'), 'America/New_York', NOW);
    expect(fiveMin.lines[0]).toBe('2025-11-02 06:00..55/5:00 UTC');
  });

  it('30-minute changes (Lord Howe): the gap 02:00–02:30 and the repeated 01:30–02:00', () => {
    const spring = clockChangeCompensation(cron('15 2 * * *'), 'Australia/Lord_Howe', NOW);
    // 2025-10-05 02:30 LHDT (+11) = 2025-10-04 15:30Z
    expect(spring.lines).toContain('2025-10-04 15:30:00 UTC');
    const autumn = clockChangeCompensation(cron('*/10 * * * *'), 'Australia/Lord_Howe', NOW);
    // second pass 01:30–01:59 LHST (+10:30) = 15:00–15:29Z on 2025-04-05
    expect(autumn.lines).toContain('2025-04-05 15:00..20/10:00 UTC');
  });

  it('several gap times of one job are one run at the jump (Debian starts it 2–3 times at once; a timer once)', () => {
    const c = clockChangeCompensation(cron('0 2,3 * * *'), 'Europe/Berlin', NOW);
    expect(c.lines.filter((l) => l.startsWith('2025-'))).toEqual([]); // 03:00 CEST is on the calendar already
    const both = clockChangeCompensation(cron('0,30 2 * * *'), 'Europe/Berlin', NOW);
    expect(both.lines.filter((l) => l.startsWith('2025-'))).toEqual(['2025-03-30 01:00:00 UTC']);
  });

  it('nothing to add in UTC, for unaffected jobs, and for one-shots and events', () => {
    expect(clockChangeCompensation(cron('* * * * *'), 'UTC', NOW).lines).toEqual([]);
    expect(clockChangeCompensation(cron('0 12 * * *'), 'Europe/Berlin', NOW)).toMatchObject({
      lines: [],
      affected: 0,
    });
    // A fixed time in the repeated hour runs once, in the first pass, on both.
    expect(
      clockChangeCompensation(cron('30 2 * * *'), 'Europe/Berlin', NOW).lines.some((l) => l.includes('-10-')),
    ).toBe(false);
    expect(
      clockChangeCompensation({ kind: 'at', local: '2026-03-29 02:30', source: '' }, 'Europe/Berlin', NOW)
        .lines,
    ).toEqual([]);
  });

  it('the window: at least CLOCK_CHANGE_YEARS ahead, the same for five years, then renewed', () => {
    for (const day of ['2025-01-01T00:00:00Z', '2027-07-01T00:00:00Z', '2029-12-31T23:59:59Z']) {
      const w = compensationWindow(new Date(day));
      expect(w.from.toISOString()).toBe('2025-01-01T00:00:00.000Z');
      expect(w.until.toISOString()).toBe('2040-01-01T00:00:00.000Z');
      expect(w.until.getTime() - Date.parse(day)).toBeGreaterThan(CLOCK_CHANGE_YEARS * 365 * 86_400_000);
    }
    expect(compensationWindow(new Date('2030-01-01T00:00:00Z')).until.toISOString()).toBe(
      '2045-01-01T00:00:00.000Z',
    );
    const job = makeJob({ schedule: cron('30 2 * * *') });
    const at = (d: string) => renderSystemdJob(job, CTX, 'user', new Date(d))[1]!.content;
    expect(at('2026-01-02T00:00:00Z')).toBe(at('2029-11-30T00:00:00Z'));
    expect(at('2030-01-02T00:00:00Z')).not.toBe(at('2029-11-30T00:00:00Z'));
  });

  it('the rendered timer states how far it reaches, and that reads back', () => {
    const timer = renderSystemdJob(makeJob({ schedule: cron('30 2 * * *') }), CTX, 'user', NOW)[1]!.content;
    expect(timer).toMatch(
      /^# Clock changes in Europe\/Berlin compensated \(Debian cron's rule\) until 2040-01-01$/m,
    );
    expect(compensatedUntil(timer)?.toISOString()).toBe('2040-01-01T00:00:00.000Z');
    const plain = renderSystemdJob(makeJob({ schedule: cron('0 12 * * *') }), CTX, 'user', NOW)[1]!.content;
    expect(compensatedUntil(plain)).toBeUndefined();
  });

  it('utcLines groups instants by day and shares a line between hours with the same minutes', () => {
    const s = (iso: string) => Date.parse(iso) / 1000;
    expect(
      utcLines([
        s('2025-11-02T06:00:00Z'),
        s('2025-11-02T07:00:00Z'),
        s('2025-11-02T06:30:00Z'),
        s('2026-01-01T00:05:00Z'),
      ]),
    ).toEqual(['2025-11-02 06:00,30:00 UTC', '2025-11-02 07:00:00 UTC', '2026-01-01 00:05:00 UTC']);
  });
});
