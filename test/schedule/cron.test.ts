import { describe, expect, test } from 'vitest';
import {
  CronSyntaxError,
  canEverFire,
  cronMatches,
  isWildcardJob,
  parseCron,
  parseSchedule,
} from '../../src/schedule/cron.js';

/** Fields of a UTC date, as cron's find_jobs sees them. */
function fields(isoText: string): { minute: number; hour: number; dom: number; month: number; dow: number } {
  const d = new Date(isoText);
  return {
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    dom: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    dow: d.getUTCDay(),
  };
}

function syntaxError(expr: string): CronSyntaxError {
  try {
    parseCron(expr);
  } catch (e) {
    if (e instanceof CronSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected '${expr}' to be rejected`);
}

describe('parseCron: Debian semantics', () => {
  test('a day-of-month starting with * makes dom/dow an AND: 0 0 */2 * 1 = odd-dated Mondays', () => {
    const s = parseCron('0 0 */2 * 1');
    expect(s.domStar).toBe(true);
    expect(s.dowStar).toBe(false);
    expect(cronMatches(s, fields('2025-03-03T00:00:00Z'))).toBe(true); // Monday the 3rd
    expect(cronMatches(s, fields('2025-03-10T00:00:00Z'))).toBe(false); // Monday the 10th
    expect(cronMatches(s, fields('2025-03-05T00:00:00Z'))).toBe(false); // Wednesday the 5th
  });

  test('both restricted without a leading * is an OR', () => {
    const s = parseCron('0 0 1,15 * 5');
    expect(cronMatches(s, fields('2025-03-07T00:00:00Z'))).toBe(true); // a Friday
    expect(cronMatches(s, fields('2025-03-01T00:00:00Z'))).toBe(true); // the 1st, a Saturday
    expect(cronMatches(s, fields('2025-03-04T00:00:00Z'))).toBe(false);
  });

  test('0 and 7 are Sunday; names in any case; ranges of names', () => {
    for (const e of ['0 0 * * 0', '0 0 * * 7', '0 0 * * sun', '0 0 * * SUN', '0 0 * * Sun']) {
      const s = parseCron(e);
      expect(s.dow[0]).toBe(true);
      expect(s.dow[7]).toBe(true);
      expect(s.dow.slice(1, 7).some(Boolean)).toBe(false);
    }
    const s = parseCron('0 9 * jan-MAR mon-fri');
    expect(s.month.slice(1)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(s.dow).toEqual([false, true, true, true, true, true, false, false]);
  });

  test('steps on ranges and on *', () => {
    const s = parseCron('1-30/7 */6 */10 * *');
    expect(s.minute.flatMap((b, i) => (b ? [i] : []))).toEqual([1, 8, 15, 22, 29]);
    expect(s.hour.flatMap((b, i) => (b ? [i] : []))).toEqual([0, 6, 12, 18]);
    expect(s.dom.flatMap((b, i) => (b ? [i] : []))).toEqual([1, 11, 21, 31]);
    // a step bigger than the range is what Debian does: just the first value
    expect(parseCron('*/90 * * * *').minute.flatMap((b, i) => (b ? [i] : []))).toEqual([0]);
  });

  test('star flags follow the text: *,5 is star, 0-59 is not', () => {
    expect(parseCron('*,5 * * * *').minStar).toBe(true);
    expect(parseCron('0-59 * * * *').minStar).toBe(false);
    expect(isWildcardJob(parseCron('0 * * * *'))).toBe(true);
    expect(isWildcardJob(parseCron('*/5 3 * * *'))).toBe(true);
    expect(isWildcardJob(parseCron('0 3 * * *'))).toBe(false);
  });

  test('@-macros as Debian builds them (flags included)', () => {
    const weekly = parseCron('@weekly');
    expect(weekly.domStar).toBe(true);
    expect(cronMatches(weekly, fields('2025-03-02T00:00:00Z'))).toBe(true); // Sunday
    expect(cronMatches(weekly, fields('2025-03-03T00:00:00Z'))).toBe(false);
    const yearly = parseCron('@yearly');
    expect(cronMatches(yearly, fields('2025-01-01T00:00:00Z'))).toBe(true);
    expect(cronMatches(yearly, fields('2025-02-01T00:00:00Z'))).toBe(false);
    expect(cronMatches(parseCron('@monthly'), fields('2025-02-01T00:00:00Z'))).toBe(true);
    expect(isWildcardJob(parseCron('@hourly'))).toBe(true);
    expect(isWildcardJob(parseCron('@daily'))).toBe(false);
    expect(parseCron('@midnight')).toEqual(parseCron('@daily'));
    expect(parseCron('@annually')).toEqual(parseCron('@yearly'));
  });
});

describe('parseCron: rejections with a reason and a column', () => {
  test.each([
    ['5/15 * * * *', 1, /step needs a range/],
    ['60 * * * *', 0, /out of range \(0-59\)/],
    ['0 0 * * 8', 8, /out of range \(0-7\)/],
    ['0 0 * * 1#2', 9, /nth weekday.*silently ignore/],
    ['0 0 L * *', 4, /Quartz/],
    ['0 0 ? * *', 4, /Quartz/],
    ['5-1 * * * *', 0, /reversed range/],
    ['0 0 * * sat-sun', 8, /reversed range/],
    ['*x * * * *', 1, /silently ignore/],
    ['0 0 * * * *', 10, /6 fields would mean seconds/],
    ['0 0 * *', 7, /expected 5 fields/],
    ['*/0 * * * *', 2, /at least 1/],
    ['0 0 * january *', 6, /not a number or a month name/],
    ['0 mon * * *', 2, /names are only allowed/],
    ['1,,2 * * * *', 2, /empty list element/],
    ['@Daily', 0, /lower case/],
    ['@reboot', 0, /boot/],
  ])('%s', (expr, column, message) => {
    const e = syntaxError(expr);
    expect(e.message).toMatch(message);
    expect(e.column).toBe(column);
  });
});

describe('canEverFire', () => {
  test.each([
    ['0 0 30 2 *', false],
    ['0 0 31 4,6,9,11 *', false],
    ['0 0 29 2 *', true],
    ['0 0 30 2 1', true], // OR: every Monday in February
    ['0 0 */30 2 *', true], // */30 = 1,31; Feb 1 exists
    ['0 0 31 2 */2', false],
  ])('%s → %s', (expr, expected) => {
    expect(canEverFire(parseCron(expr))).toBe(expected);
  });
});

describe('parseSchedule', () => {
  test('presets, events, @reboot, macros, one-shots', () => {
    expect(parseSchedule('weekday')).toEqual({ kind: 'cron', expr: '0 9 * * 1-5', source: 'weekday' });
    expect(parseSchedule('hour')).toMatchObject({ kind: 'cron', expr: '0 * * * *' });
    expect(parseSchedule('boot')).toEqual({ kind: 'event', event: 'boot', source: 'boot' });
    expect(parseSchedule('wake')).toMatchObject({ kind: 'event', event: 'wake' });
    expect(parseSchedule('@reboot')).toMatchObject({ kind: 'event', event: 'boot' });
    expect(parseSchedule('@daily')).toEqual({ kind: 'cron', expr: '@daily', source: '@daily' });
    expect(parseSchedule(' 0 2 * * * ')).toMatchObject({ kind: 'cron', expr: '0 2 * * *' });
    expect(parseSchedule({ at: '2026-12-31 09:00' })).toEqual({
      kind: 'at',
      local: '2026-12-31 09:00',
      source: '2026-12-31 09:00',
    });
  });

  test('bad one-shots and unknown words are rejected', () => {
    expect(() => parseSchedule({ at: '2025-02-29 09:00' })).toThrow(/has no day 29/);
    expect(() => parseSchedule({ at: '2024-02-29 24:00' })).toThrow(/hour 24/);
    expect(() => parseSchedule({ at: 'tomorrow' })).toThrow(/YYYY-MM-DD HH:MM/);
    expect(() => parseSchedule('daily')).toThrow(/unknown schedule 'daily'/);
    expect(() => parseSchedule('0 0 * * 1#2')).toThrow(CronSyntaxError);
  });
});
