import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarIntervalToCron, convertLaunchAgent } from '../../src/backends/launchd/import.js';
import { cronMatches, parseCron } from '../../src/schedule/cron.js';

type Dict = Partial<Record<'Minute' | 'Hour' | 'Day' | 'Month' | 'Weekday', number>>;

/** launchd's rule, written out: a minute fires when some entry matches every key it sets. */
function launchdFires(
  dicts: Dict[],
  t: { minute: number; hour: number; dom: number; month: number; dow: number },
): boolean {
  return dicts.some(
    (d) =>
      (d.Minute === undefined || d.Minute === t.minute) &&
      (d.Hour === undefined || d.Hour === t.hour) &&
      (d.Day === undefined || d.Day === t.dom) &&
      (d.Month === undefined || d.Month === t.month) &&
      (d.Weekday === undefined || d.Weekday % 7 === t.dow),
  );
}

/** Every minute of 2028 (a leap year), as calendar fields (UTC arithmetic: no DST). */
function* minutesOfYear() {
  for (let day = Date.UTC(2028, 0, 1); day < Date.UTC(2029, 0, 1); day += 86_400_000) {
    const d = new Date(day);
    for (let hour = 0; hour < 24; hour++)
      for (let minute = 0; minute < 60; minute++)
        yield { minute, hour, dom: d.getUTCDate(), month: d.getUTCMonth() + 1, dow: d.getUTCDay() };
  }
}

const values = (min: number, max: number) =>
  fc.option(fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 3 }), { nil: undefined });

describe('StartCalendarInterval → cron fires on the same minutes as launchd (brute force over a year)', () => {
  it('for product-shaped calendars (property)', () => {
    fc.assert(
      fc.property(
        values(0, 59),
        values(0, 23),
        fc.oneof(
          fc.record({ day: values(1, 31), month: values(1, 12) }),
          fc.record({ weekday: values(0, 7) }),
        ),
        (minutes, hours, rest) => {
          const day = 'day' in rest ? rest.day : undefined;
          const month = 'month' in rest ? rest.month : undefined;
          const weekday = 'weekday' in rest ? rest.weekday : undefined;
          let dicts: Dict[] = [{}];
          const expand = (key: keyof Dict, vs: number[] | undefined) => {
            if (vs) dicts = dicts.flatMap((d) => vs.map((v) => ({ ...d, [key]: v })));
          };
          expand('Minute', minutes);
          expand('Hour', hours);
          expand('Day', day);
          expand('Month', month);
          expand('Weekday', weekday);
          const r = calendarIntervalToCron(dicts.length === 1 ? dicts[0] : dicts);
          if ('reason' in r) {
            expect(r.reason).toMatch(/never fires/); // e.g. only Feb 30
            return;
          }
          const spec = parseCron(r.cron);
          for (const t of minutesOfYear())
            if (cronMatches(spec, t) !== launchdFires(dicts, t))
              throw new Error(`${r.cron} differs at ${JSON.stringify(t)}`);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('converts the usual shapes', () => {
    expect(calendarIntervalToCron({ Hour: 2, Minute: 30 })).toEqual({ cron: '30 2 * * *' });
    expect(
      calendarIntervalToCron([
        { Weekday: 1, Hour: 9, Minute: 0 },
        { Weekday: 5, Hour: 9, Minute: 0 },
      ]),
    ).toEqual({ cron: '0 9 * * 1,5' });
    expect(calendarIntervalToCron({ Weekday: 7, Hour: 0 })).toEqual({ cron: '* 0 * * 0' }); // missing Minute: every minute of that hour
  });

  it('refuses what is not one cron expression, or is ambiguous in launchd', () => {
    expect(
      calendarIntervalToCron([
        { Hour: 9, Minute: 0 },
        { Hour: 17, Minute: 30 },
      ]),
    ).toMatchObject({ reason: /not one cron expression/ });
    expect(calendarIntervalToCron({ Day: 1, Weekday: 1 })).toMatchObject({ reason: /Day and Weekday/ });
    expect(calendarIntervalToCron({ Month: 2, Weekday: 1 })).toMatchObject({ reason: /ignores Month/ });
    expect(calendarIntervalToCron([{ Hour: 9 }, { Hour: 9, Minute: 5 }])).toMatchObject({
      reason: /some calendar entries and not in others/,
    });
    expect(calendarIntervalToCron({ Hour: 24 })).toMatchObject({ reason: /out of range/ });
  });
});

describe('convertLaunchAgent', () => {
  const opts = { homeDir: '/Users/u', hostTimezone: 'Europe/Paris' };
  it('takes ProgramArguments, WorkingDirectory and EnvironmentVariables', () => {
    const p = convertLaunchAgent(
      'com.example.sync.plist',
      {
        Label: 'com.example.sync',
        ProgramArguments: ['/usr/local/bin/sync', '--fast'],
        StartCalendarInterval: { Hour: 3, Minute: 15 },
        EnvironmentVariables: { PATH: '/usr/bin:/bin' },
      },
      opts,
    );
    expect(p).toMatchObject({
      schedule: '15 3 * * *',
      command: ['/usr/local/bin/sync', '--fast'],
      working_dir: '/Users/u',
      env: { PATH: '/usr/bin:/bin' },
      nameHint: 'sync',
      source: { id: 'com.example.sync' },
    });
  });
  it('skips agents that are not scheduled or are disabled; refuses StartInterval', () => {
    expect(
      convertLaunchAgent('a.plist', { Label: 'a', ProgramArguments: ['/x'], KeepAlive: true }, opts),
    ).toBeUndefined();
    expect(
      convertLaunchAgent(
        'a.plist',
        { Label: 'a', ProgramArguments: ['/x'], StartCalendarInterval: {}, Disabled: true },
        opts,
      ),
    ).toBeUndefined();
    expect(
      convertLaunchAgent('a.plist', { Label: 'a', ProgramArguments: ['/x'], StartInterval: 300 }, opts),
    ).toMatchObject({ reason: /StartInterval=300/ });
  });
});
