/**
 * Proof that cronToOnCalendar is exact: for well over 100 cron expressions (tricky ones and
 * seeded random ones), the instants systemd itself computes for the rendered OnCalendar= lines
 * (`systemd-analyze calendar --iterations=N --base-time=…`, union over the lines of one job) equal
 * the schedule engine's `fireTimesBetween`, in UTC and in Europe/Berlin.
 *
 * Excluded explicitly: instants within an hour of a DST change. systemd (252) skips the whole
 * repeated autumn hour and the spring gap (open upstream issues), while sched follows cron's rule;
 * `plan` states this difference for the jobs it affects.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCron } from '../../../src/schedule/cron.js';
import { fireTimesBetween, nextFireTimes } from '../../../src/schedule/occurrences.js';
import {
  cronToOnCalendar,
  instantToOnCalendar,
  systemdDstDifferences,
  systemdInstants,
} from '../../../src/schedule/to-oncalendar.js';
import type { Schedule } from '../../../src/model/job.js';

const run = promisify(execFile);
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
if (!ANALYZE)
  console.warn('SKIP oncalendar proof: systemd-analyze not found (install the Debian package systemd)');

const BASE = new Date('2026-01-01T00:00:00Z');
const YEAR_END = new Date('2027-01-01T00:00:00Z');
const ITERATIONS = 600;

const TRICKY = [
  '* * * * *',
  '*/15 * * * *',
  '0 * * * *',
  '30 2 * * *',
  '0 0 * * 0',
  '0 0 * * 7',
  '0 0 * * 0,7',
  '0 0 1 * *',
  '0 0 31 * *',
  '0 0 30 * *',
  '0 0 29 2 *',
  '0 0 */2 * 1',
  '0 0 */2 * *',
  '0 0 1-7 * 1',
  '0 0 1,15 * 1-5',
  '30 2 1,15 * mon-fri',
  '0 9 * * 1-5',
  '0 9 1 * *',
  '0 9 * * 1',
  '5 4 * * sun',
  '0 0 13 * 5',
  '0 0 * * 5#',
  '15 14 1 * *',
  '0 22 * * 1-5',
  '23 0-20/2 * * *',
  '0 0,12 1 */2 *',
  '0 4 8-14 * *',
  '0 0 1 1 *',
  '0 0 * jan,jul *',
  '0 0 1 feb-apr *',
  '1-10/3 * * * *',
  '59 23 31 12 *',
  '0 12 * * 6,0',
  '0 12 * * sat,sun',
  '*/7 */5 * * *',
  '0 0 1-31 * 1',
  '0 0 1 * 0-6',
  '0 0 1 * 0-7',
  '0 0 */3 */2 2',
  '0 */2 * * 3',
  '@hourly',
  '@daily',
  '@midnight',
  '@weekly',
  '@monthly',
  '@yearly',
  '@annually',
  '0 2 * * *',
  '30 1 * * *',
  '30 3 * * *',
  '0 1-4 * * *',
  '*/30 0-3 * * *',
  '0 0 25-31 * 0',
  '0 0 5 5 5',
  '0 6 L * *',
  '7 7 7 7 7',
  '0 0 28-31 2 *',
  '0 3 * * 2-4',
  '45 17 * * fri',
  '0 0 1,31 1,3 *',
  '10,20,30,40,50 * * * *',
  '0 0 */10 * *',
  '0 0 2-30/7 * *',
  '0 0 * * */2',
  '0 0 * * 1-7/2',
  '0 12 */2 * 0',
  '0 12 1-15 * */3',
].filter((e) => {
  try {
    parseCron(e);
    return true;
  } catch {
    return false; // e.g. `L`, `5#`: rejected by the cron parser, not this test's concern
  }
});

/** mulberry32: a tiny seeded PRNG so the random corpus is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomField(r: () => number, lo: number, hi: number, sparse: boolean): string {
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const k = r();
  if (!sparse && k < 0.3) return '*';
  if (k < 0.45) return `*/${int(2, Math.max(2, Math.floor((hi - lo) / 2)))}`;
  if (k < 0.65) return String(int(lo, hi));
  if (k < 0.8) {
    const a = int(lo, hi);
    const b = int(a, hi);
    return r() < 0.5 ? `${a}-${b}` : `${a}-${b}/${int(2, 5)}`;
  }
  const n = int(2, 4);
  const vals = new Set<number>();
  for (let i = 0; i < n; i++) vals.add(int(lo, hi));
  return [...vals].join(',');
}

function randomCorpus(count: number): string[] {
  const r = rng(20261122);
  const out: string[] = [];
  while (out.length < count) {
    // Minutes and hours mostly sparse so a year of instants stays within the iteration budget.
    const expr = [
      randomField(r, 0, 59, true),
      randomField(r, 0, 23, r() < 0.7),
      randomField(r, 1, 31, false),
      randomField(r, 1, 12, false),
      randomField(r, 0, 7, false),
    ].join(' ');
    try {
      parseCron(expr);
      out.push(expr);
    } catch {
      /* invalid random combination: draw again */
    }
  }
  return out;
}

/** Instants of a DST change in [from, to) for a zone, found by scanning UTC offsets hourly. */
function dstTransitions(zone: string, from: Date, to: Date): Date[] {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  const offset = (d: Date) => fmt.formatToParts(d).find((p) => p.type === 'timeZoneName')!.value;
  const out: Date[] = [];
  let prev = offset(from);
  for (let t = from.getTime() + 3_600_000; t < to.getTime(); t += 3_600_000) {
    const o = offset(new Date(t));
    if (o !== prev) out.push(new Date(t));
    prev = o;
  }
  return out;
}

interface CalendarResult {
  instants: number[];
  /** All instants up to here are complete (fewer than N iterations means: the end of time). */
  complete: number;
}

/**
 * One systemd-analyze call for many expressions; one result per expression, in order. `tz` is
 * the process zone: instants are read from the UTC lines (`Next elapse`/`Iter.` under TZ=UTC,
 * `(in UTC)` otherwise).
 */
async function analyze(
  exprs: string[],
  base: Date,
  iterations: number,
  tz = 'UTC',
): Promise<CalendarResult[]> {
  const { stdout } = await run(
    ANALYZE!,
    [
      'calendar',
      `--iterations=${iterations}`,
      `--base-time=@${Math.floor(base.getTime() / 1000)}`,
      '--',
      ...exprs,
    ],
    { env: { ...process.env, TZ: tz, LANG: 'C.UTF-8', SYSTEMD_COLORS: '0' }, maxBuffer: 512 * 1024 * 1024 },
  );
  const blocks = stdout.split(/\n\s*\n/).filter((b) => /Normalized form:/.test(b));
  expect(blocks.length).toBe(exprs.length);
  return blocks.map((block) => {
    const instants: number[] = [];
    for (const m of block.matchAll(/: \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/gm)) {
      instants.push(Date.parse(`${m[1]}T${m[2]}Z`));
    }
    const complete = instants.length < iterations ? Infinity : instants[instants.length - 1]!;
    return { instants, complete };
  });
}

function cronSchedule(expr: string): Schedule {
  return { kind: 'cron', expr, source: expr };
}

const iso = (t: number) => new Date(t).toISOString();

describe.skipIf(!ANALYZE)(
  'OnCalendar lines give exactly the cron instants (systemd-analyze calendar)',
  () => {
    const corpus = [...TRICKY, ...randomCorpus(120)];

    it('has a corpus of at least 100 valid expressions', () => {
      expect(corpus.length).toBeGreaterThanOrEqual(150);
    });

    /**
     * Compares, for each expression, the union of systemd's instants for its lines with sched's.
     * `local`: evaluate the lines with their zone suffix removed under TZ=zone. systemd evaluates a
     * zone-suffixed spec in a forked child per iteration (~2 ms each), far too slow for this corpus;
     * the suffix-less spec in the process zone is the same calendar computation. The literal
     * zone-suffixed lines are checked separately below on the tricky corpus.
     */
    async function compare(
      exprs: string[],
      zone: string,
      iterations: number,
      local: boolean,
    ): Promise<number> {
      const lines = exprs.map((e) => cronToOnCalendar(parseCron(e), zone));
      const suffix = ' ' + (zone === 'UTC' ? 'UTC' : zone);
      const flat = lines.flat().map((l) => {
        expect(l.endsWith(suffix)).toBe(true);
        return local ? l.slice(0, -suffix.length) : l;
      });
      // Two parallel batches (CI machines have at least two cores).
      const half = Math.ceil(flat.length / 2);
      const parts = await Promise.all(
        [flat.slice(0, half), flat.slice(half)].map((b) =>
          b.length ? analyze(b, BASE, iterations, local ? zone : 'UTC') : [],
        ),
      );
      const results = parts.flat();
      const transitions = dstTransitions(zone, BASE, YEAR_END).map((d) => d.getTime());
      const nearDst = (t: number) => transitions.some((x) => Math.abs(t - x) <= 3_600_000);
      let k = 0;
      let compared = 0;
      const mismatches: string[] = [];
      for (let i = 0; i < exprs.length; i++) {
        const mine = results.slice(k, k + lines[i]!.length);
        k += lines[i]!.length;
        const horizon = Math.min(YEAR_END.getTime(), ...mine.map((r) => r.complete));
        const systemd = [...new Set(mine.flatMap((r) => r.instants))]
          .filter((t) => t <= horizon && !nearDst(t))
          .sort((a, b) => a - b);
        const expected = fireTimesBetween(cronSchedule(exprs[i]!), zone, BASE, new Date(horizon))
          .map((d) => d.getTime())
          .filter((t) => !nearDst(t));
        compared += expected.length;
        if (systemd.length !== expected.length || systemd.some((t, j) => t !== expected[j])) {
          const j = systemd.findIndex((t, n) => t !== expected[n]);
          mismatches.push(
            `${exprs[i]} → ${lines[i]!.join(' | ')}: systemd ${systemd.length} vs sched ${expected.length}; first difference at #${j}: systemd ${systemd[j] === undefined ? '-' : iso(systemd[j]!)} sched ${expected[j] === undefined ? '-' : iso(expected[j]!)}`,
          );
        }
      }
      expect(mismatches).toEqual([]);
      return compared;
    }

    it('matches over 2026 in UTC (zone-suffixed lines as rendered)', async () => {
      expect(await compare(corpus, 'UTC', ITERATIONS, false)).toBeGreaterThan(10_000);
    });

    it('matches over 2026 in Europe/Berlin (lines evaluated under TZ=Europe/Berlin)', async () => {
      expect(await compare(corpus, 'Europe/Berlin', ITERATIONS, true)).toBeGreaterThan(10_000);
    });

    it('matches in Europe/Berlin with the zone suffix as rendered (tricky corpus, fewer iterations)', async () => {
      expect(await compare(TRICKY, 'Europe/Berlin', 60, false)).toBeGreaterThan(1_000);
    }, 60_000);

    /**
     * The windows excluded above, checked on their own: around each 2026 DST change, systemd's
     * instants for the rendered (zone-suffixed) lines equal systemdInstants — the model `plan` uses
     * to say which runs systemd will skip or merge.
     */
    for (const zone of ['Europe/Berlin', 'America/New_York']) {
      it(`models systemd exactly around the DST changes of ${zone}`, async () => {
        const windows = dstTransitions(zone, BASE, YEAR_END).map(
          (t) => [new Date(t.getTime() - 3 * 3_600_000), new Date(t.getTime() + 3 * 3_600_000)] as const,
        );
        expect(windows).toHaveLength(2);
        const mismatches: string[] = [];
        await Promise.all(
          windows.map(async ([lo, hi]) => {
            const lines = TRICKY.map((e) => cronToOnCalendar(parseCron(e), zone));
            const models = TRICKY.map((e) =>
              systemdInstants(parseCron(e), zone, lo, hi).map((d) => d.getTime()),
            );
            // Enough iterations to pass the window's end (one more than the model expects).
            const results: CalendarResult[] = [];
            for (let i = 0; i < TRICKY.length; i++) {
              results.push(...(await analyze(lines[i]!, lo, models[i]!.length + 1)));
            }
            let k = 0;
            TRICKY.forEach((e, i) => {
              const mine = results.slice(k, k + lines[i]!.length);
              k += lines[i]!.length;
              const incomplete = mine.some((r) => r.complete <= hi.getTime());
              const got = [...new Set(mine.flatMap((r) => r.instants))]
                .filter((t) => t <= hi.getTime())
                .sort((a, b) => a - b);
              if (incomplete || got.join() !== models[i]!.join()) {
                mismatches.push(
                  `${e} in ${zone} near ${iso(lo.getTime())}: systemd ${got.map(iso).join(' ')}${incomplete ? ' …' : ''} model ${models[i]!.map(iso).join(' ')}`,
                );
              }
            });
          }),
        );
        expect(mismatches).toEqual([]);
      }, 120_000);
    }

    it('names the runs systemd skips at DST changes (30 2 * * * and */15 in Europe/Berlin)', () => {
      const daily = systemdDstDifferences('30 2 * * *', 'Europe/Berlin', BASE, YEAR_END);
      // Spring: cron runs the skipped 02:30 right after the gap (03:00 CEST = 01:00Z); systemd not at all.
      expect(
        daily.map((d) => [iso(d.transition.getTime()), d.missing.map((x) => iso(x.getTime())), d.extra]),
      ).toEqual([['2026-03-29T01:00:00.000Z', ['2026-03-29T01:00:00.000Z'], []]]);
      const quarter = systemdDstDifferences('*/15 * * * *', 'Europe/Berlin', BASE, YEAR_END);
      // Autumn: cron runs the repeated 02:00–02:45 again in winter time (01:00Z–01:45Z); systemd does not.
      expect(
        quarter.map((d) => [iso(d.transition.getTime()), d.missing.map((x) => iso(x.getTime()))]),
      ).toEqual([
        [
          '2026-10-25T01:00:00.000Z',
          [
            '2026-10-25T01:00:00.000Z',
            '2026-10-25T01:15:00.000Z',
            '2026-10-25T01:30:00.000Z',
            '2026-10-25T01:45:00.000Z',
          ],
        ],
      ]);
      expect(systemdDstDifferences('0 12 * * *', 'Europe/Berlin', BASE, YEAR_END)).toEqual([]);
      expect(systemdDstDifferences('* * * * *', 'UTC', BASE, YEAR_END)).toEqual([]);
    });

    it('the OR case really needs two lines and the *-prefixed case one', () => {
      expect(cronToOnCalendar(parseCron('30 2 1,15 * 1-5'), 'Europe/Berlin')).toEqual([
        'Mon..Fri *-*-* 02:30:00 Europe/Berlin',
        '*-*-01,15 02:30:00 Europe/Berlin',
      ]);
      expect(cronToOnCalendar(parseCron('0 0 */2 * 1'), 'UTC')).toHaveLength(1);
    });

    it('one-shots are emitted as the UTC instant and fire exactly once', async () => {
      const cases: [string, string][] = [
        ['2026-12-31 09:00', 'Europe/Berlin'],
        ['2026-07-01 00:00', 'UTC'],
        ['2026-03-29 12:30', 'America/New_York'],
      ];
      const exprs = cases.map(([local, zone]) => {
        const [instant] = nextFireTimes({ kind: 'at', local, source: local }, zone, BASE, 1);
        return instantToOnCalendar(instant!);
      });
      const results = await analyze(exprs, BASE, 3);
      cases.forEach(([local, zone], i) => {
        const expected = nextFireTimes({ kind: 'at', local, source: local }, zone, BASE, 3).map((d) =>
          d.getTime(),
        );
        expect(results[i]!.instants).toEqual(expected);
      });
    });
  },
);
