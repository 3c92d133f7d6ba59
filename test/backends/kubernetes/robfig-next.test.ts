/**
 * The robfig/cron v3.0.1 `Next` evaluator, checked on robfig's own known cases (the expectations
 * of its spec_test.go `TestNext` and `TestActivation`, rewritten as a table), then on the
 * 30-minute changes of Australia/Lord_Howe that robfig's whole-hour steps get wrong.
 */
import { describe, expect, it } from 'vitest';
import { robfigNext, ZoneTable, type RobfigSpec } from '../../../src/backends/kubernetes/robfig-next.js';
import { robfigSpec } from '../../../src/backends/kubernetes/clock-changes.js';
import { parseCronForKubernetes } from '../../../src/backends/kubernetes/cron.js';

const MAX = [59, 59, 23, 31, 12, 6];

/** robfig's `N/step` means `N-max/step`; `?` means `*`. Debian's reader needs the long forms. */
function longForm(field: string, i: number): string {
  return field
    .replace(/\?/g, '*')
    .split(',')
    .map((e) => (/^[^*/-]+\/\d+$/.test(e) ? e.replace('/', `-${MAX[i]}/`) : e))
    .join(',');
}

/** A 6-field robfig spec (seconds first), optionally prefixed with TZ= or CRON_TZ=. */
function spec6(text: string): { spec: RobfigSpec; zone?: string } {
  let rest = text;
  let zone: string | undefined;
  const m = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(text);
  if (m) [, zone, rest] = m as unknown as [string, string, string];
  const f = rest.split(/\s+/).map(longForm);
  const seconds = parseCronForKubernetes(`${f[0]} * * * *`).minute;
  const p = parseCronForKubernetes(f.slice(1).join(' '));
  return {
    spec: {
      second: seconds,
      minute: p.minute,
      hour: p.hour,
      dom: p.dom.values,
      month: p.month,
      dow: p.dow.values,
      domStar: p.dom.robfigStar,
      dowStar: p.dow.robfigStar,
    },
    ...(zone ? { zone } : {}),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** robfig's getTime: `Mon Jul 9 14:45 2012` (local = UTC here) or RFC 3339-ish, optional `TZ=zone `. */
function instant(value: string): { t: number; zone?: string } {
  let rest = value;
  let zone: string | undefined;
  const m = /^TZ=(\S+)\s+(.*)$/.exec(value);
  if (m) [, zone, rest] = m as unknown as [string, string, string];
  const plain = /^\w{3} (\w{3}) (\d+) (\d+):(\d+)(?::(\d+))? (\d{4})$/.exec(rest);
  if (plain) {
    const [, mon, d, h, mi, s, y] = plain as unknown as string[];
    const t = Date.UTC(Number(y), MONTHS.indexOf(mon!), Number(d), Number(h), Number(mi), Number(s ?? 0));
    return { t: t / 1000, ...(zone ? { zone } : {}) };
  }
  const iso = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([+-]\d\d)(\d\d)$/.exec(rest);
  if (!iso) throw new Error(`unreadable time ${value}`);
  return { t: Date.parse(`${iso[1]}${iso[2]}:${iso[3]}`) / 1000, ...(zone ? { zone } : {}) };
}

function next(time: string, specText: string): number | undefined {
  const start = instant(time);
  const { spec, zone } = spec6(specText);
  const table = new ZoneTable(zone ?? start.zone ?? 'UTC', start.t - 86_400, start.t + 6 * 366 * 86_400);
  return robfigNext(spec, table, start.t);
}

// robfig spec_test.go TestNext: [from, spec, expected ('' = no time within five years)].
const NEXT: [string, string, string][] = [
  ['Mon Jul 9 14:45 2012', '0 0/15 * * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 14:59 2012', '0 0/15 * * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 14:59:59 2012', '0 0/15 * * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 15:45 2012', '0 20-35/15 * * * *', 'Mon Jul 9 16:20 2012'],
  ['Mon Jul 9 23:46 2012', '0 */15 * * * *', 'Tue Jul 10 00:00 2012'],
  ['Mon Jul 9 23:45 2012', '0 20-35/15 * * * *', 'Tue Jul 10 00:20 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * * * *', 'Tue Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 1/2 * * *', 'Tue Jul 10 01:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 10-12 * * *', 'Tue Jul 10 10:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 1/2 */2 * *', 'Thu Jul 11 01:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * 9-20 * *', 'Wed Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * 9-20 Jul *', 'Wed Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 9 Apr-Oct ?', 'Thu Aug 9 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 */5 Apr,Aug,Oct Mon', 'Tue Aug 1 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 */5 Oct Mon', 'Mon Oct 1 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 * Feb Mon', 'Mon Feb 4 00:00 2013'],
  ['Mon Jul 9 23:35 2012', '0 0 0 * Feb Mon/2', 'Fri Feb 1 00:00 2013'],
  ['Mon Dec 31 23:59:45 2012', '0 * * * * *', 'Tue Jan 1 00:00:00 2013'],
  ['Mon Jul 9 23:35 2012', '0 0 0 29 Feb ?', 'Mon Feb 29 00:00 2016'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 30 2 11 Mar ?', '2013-03-11T02:30:00-0400'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T01:00:00-0500'],
  ['2012-03-11T01:00:00-0500', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T03:00:00-0400'],
  ['2012-03-11T03:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T04:00:00-0400'],
  ['2012-03-11T04:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T05:00:00-0400'],
  ['2012-03-11T00:00:00-0500', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T01:00:00-0500'],
  ['2012-03-11T01:00:00-0500', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T03:00:00-0400'],
  ['2012-03-11T03:00:00-0400', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T04:00:00-0400'],
  ['2012-03-11T04:00:00-0400', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T05:00:00-0400'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 0 1 * * ?', '2012-03-11T01:00:00-0500'],
  ['2012-03-11T01:00:00-0500', 'TZ=America/New_York 0 0 1 * * ?', '2012-03-12T01:00:00-0400'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 0 2 * * ?', '2012-03-12T02:00:00-0400'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 30 2 04 Nov ?', '2012-11-04T02:30:00-0500'],
  ['2012-11-04T01:45:00-0400', 'TZ=America/New_York 0 30 1 04 Nov ?', '2012-11-04T01:30:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-11-04T01:00:00-0400'],
  ['2012-11-04T01:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-11-04T01:00:00-0500'],
  ['2012-11-04T01:00:00-0500', 'TZ=America/New_York 0 0 * * * ?', '2012-11-04T02:00:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 1 * * ?', '2012-11-04T01:00:00-0400'],
  ['2012-11-04T01:00:00-0400', 'TZ=America/New_York 0 0 1 * * ?', '2012-11-04T01:00:00-0500'],
  ['2012-11-04T01:00:00-0500', 'TZ=America/New_York 0 0 1 * * ?', '2012-11-05T01:00:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 2 * * ?', '2012-11-04T02:00:00-0500'],
  ['2012-11-04T02:00:00-0500', 'TZ=America/New_York 0 0 2 * * ?', '2012-11-05T02:00:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 3 * * ?', '2012-11-04T03:00:00-0500'],
  ['2012-11-04T03:00:00-0500', 'TZ=America/New_York 0 0 3 * * ?', '2012-11-05T03:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 * * * ?', '2012-11-04T01:00:00-0400'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0400', '0 0 * * * ?', '2012-11-04T01:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0500', '0 0 * * * ?', '2012-11-04T02:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 1 * * ?', '2012-11-04T01:00:00-0400'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0400', '0 0 1 * * ?', '2012-11-04T01:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0500', '0 0 1 * * ?', '2012-11-05T01:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 2 * * ?', '2012-11-04T02:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T02:00:00-0500', '0 0 2 * * ?', '2012-11-05T02:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 3 * * ?', '2012-11-04T03:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T03:00:00-0500', '0 0 3 * * ?', '2012-11-05T03:00:00-0500'],
  ['Mon Jul 9 23:35 2012', '0 0 0 30 Feb ?', ''],
  ['Mon Jul 9 23:35 2012', '0 0 0 31 Apr ?', ''],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 3 3 * ?', '2012-12-03T03:00:00-0500'],
  ['2018-10-17T05:00:00-0400', 'TZ=America/Sao_Paulo 0 0 9 10 * ?', '2018-11-10T06:00:00-0500'],
  ['2018-02-14T05:00:00-0500', 'TZ=America/Sao_Paulo 0 0 9 22 * ?', '2018-02-22T07:00:00-0500'],
];

// robfig spec_test.go TestActivation: [time, 5-field spec, fires exactly then].
const ACTIVATION: [string, string, boolean][] = [
  ['Mon Jul 9 15:00 2012', '0/15 * * * *', true],
  ['Mon Jul 9 15:45 2012', '0/15 * * * *', true],
  ['Mon Jul 9 15:40 2012', '0/15 * * * *', false],
  ['Mon Jul 9 15:05 2012', '5/15 * * * *', true],
  ['Mon Jul 9 15:20 2012', '5/15 * * * *', true],
  ['Mon Jul 9 15:50 2012', '5/15 * * * *', true],
  ['Sun Jul 15 15:00 2012', '0/15 * * Jul *', true],
  ['Sun Jul 15 15:00 2012', '0/15 * * Jun *', false],
  ['Sun Jul 15 08:30 2012', '30 08 ? Jul Sun', true],
  ['Sun Jul 15 08:30 2012', '30 08 15 Jul ?', true],
  ['Mon Jul 16 08:30 2012', '30 08 ? Jul Sun', false],
  ['Mon Jul 16 08:30 2012', '30 08 15 Jul ?', false],
  ['Mon Jul 9 15:00 2012', '0 * * * *', true], // @hourly
  ['Mon Jul 9 15:04 2012', '0 * * * *', false],
  ['Mon Jul 9 15:00 2012', '0 0 * * *', false], // @daily
  ['Mon Jul 9 00:00 2012', '0 0 * * *', true],
  ['Mon Jul 9 00:00 2012', '0 0 * * 0', false], // @weekly
  ['Sun Jul 8 00:00 2012', '0 0 * * 0', true],
  ['Sun Jul 8 01:00 2012', '0 0 * * 0', false],
  ['Sun Jul 8 00:00 2012', '0 0 1 * *', false], // @monthly
  ['Sun Jul 1 00:00 2012', '0 0 1 * *', true],
  ['Sun Jul 15 00:00 2012', '* * 1,15 * Sun', true],
  ['Fri Jun 15 00:00 2012', '* * 1,15 * Sun', true],
  ['Wed Aug 1 00:00 2012', '* * 1,15 * Sun', true],
  ['Sun Jul 15 00:00 2012', '* * */10 * Sun', true],
  ['Sun Jul 15 00:00 2012', '* * * * Mon', false],
  ['Mon Jul 9 00:00 2012', '* * 1,15 * *', false],
  ['Sun Jul 15 00:00 2012', '* * 1,15 * *', true],
  ['Sun Jul 15 00:00 2012', '* * */2 * Sun', true],
];

describe('robfigNext on robfig/cron v3.0.1 spec_test.go cases', () => {
  it.each(NEXT)('from %s, %s -> %s', (from, spec, expected) => {
    const got = next(from, spec);
    if (expected === '') expect(got).toBeUndefined();
    else expect(got).toBe(instant(expected).t);
  });

  it.each(ACTIVATION)('%s matches %s: %s', (time, spec, fires) => {
    const at = instant(time).t;
    const { spec: s } = spec6(`0 ${spec}`);
    const got = robfigNext(s, new ZoneTable('UTC', at - 86_400, at + 86_400), at - 1);
    expect(got === at).toBe(fires);
  });

  it('reads a standard 5-field expression as robfig does (seconds 0, star bits)', () => {
    const s = robfigSpec('*/2 9 * * 1-5');
    expect([...s.second]).toEqual([0]);
    expect(s.domStar).toBe(true);
    expect(s.dowStar).toBe(false);
    expect(robfigSpec('0 0 */2 * *').domStar).toBe(false);
  });
});

describe('robfigNext across the 30-minute changes of Australia/Lord_Howe', () => {
  const zone = 'Australia/Lord_Howe';
  const iso = (t: number | undefined): string =>
    t === undefined ? 'none' : new Date(t * 1000).toISOString();

  it('loses the 09:00 run of the spring change day (02:00 +10:30 -> 02:30 +11)', () => {
    // 2025-10-05 is the first Sunday of October; the daily run before it is 2025-10-04 09:00 +10:30.
    const table = new ZoneTable(
      zone,
      Date.parse('2025-09-01T00:00:00Z') / 1000,
      Date.parse('2026-12-01T00:00:00Z') / 1000,
    );
    const before = Date.parse('2025-10-04T09:00:00+10:30') / 1000;
    const got = robfigNext(robfigSpec('0 9 * * *'), table, before);
    expect(iso(got)).toBe(new Date('2025-10-06T09:00:00+11:00').toISOString());
  });

  it('loses the 09:00 run of the autumn change day (02:00 +11 -> 01:30 +10:30)', () => {
    const table = new ZoneTable(
      zone,
      Date.parse('2026-03-01T00:00:00Z') / 1000,
      Date.parse('2026-06-01T00:00:00Z') / 1000,
    );
    const before = Date.parse('2026-04-04T09:00:00+11:00') / 1000;
    const got = robfigNext(robfigSpec('0 9 * * *'), table, before);
    expect(iso(got)).toBe(new Date('2026-04-06T09:00:00+10:30').toISOString());
  });
});

describe("ZoneTable.fromWall: Go's time.Date for local times that do not exist or exist twice", () => {
  // Go (time.Date) takes the offset in effect at the wall time read as UTC, then re-looks it up at
  // the resulting instant if that falls outside the first offset's period. West of UTC a gap time
  // lands before the jump and a repeated time in the first pass; east of UTC the opposite.
  const at = (zone: string, wall: string): string => {
    const w = Date.parse(`${wall}Z`) / 1000;
    const table = new ZoneTable(zone, w - 30 * 86_400, w + 30 * 86_400);
    return new Date(table.fromWall(w) * 1000).toISOString();
  };
  it.each([
    ['America/New_York', '2025-03-09T02:30:00', '2025-03-09T06:30:00.000Z'], // 01:30 EST
    ['America/New_York', '2025-11-02T01:30:00', '2025-11-02T05:30:00.000Z'], // first pass (EDT)
    ['Europe/Berlin', '2025-03-30T02:30:00', '2025-03-30T01:30:00.000Z'], // 03:30 CEST
    ['Europe/Berlin', '2025-10-26T02:30:00', '2025-10-26T01:30:00.000Z'], // second pass (CET)
    ['Australia/Lord_Howe', '2025-10-05T02:15:00', '2025-10-04T15:45:00.000Z'], // 02:45 +11
    ['Australia/Lord_Howe', '2025-04-06T01:45:00', '2025-04-05T15:15:00.000Z'], // second pass (+10:30)
  ])('%s %s -> %s', (zone, wall, expected) => {
    expect(at(zone, wall)).toBe(expected);
  });
});
