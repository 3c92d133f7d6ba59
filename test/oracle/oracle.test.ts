/**
 * sched's fire times against Debian's cron itself: `.vendor/cron-oracle` (built by
 * test/oracle/build.sh from `apt-get source cron`) parses each expression with Debian's
 * load_entry() and runs a simulated cron.c main loop under TZ=zone. Skipped, with a message, when
 * the oracle has not been built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CronSyntaxError, parseCron } from '../../src/schedule/cron.js';
import { fireTimesBetween } from '../../src/schedule/occurrences.js';
import { nextTransition } from '../../src/schedule/zoned.js';
import {
  DELIBERATELY_REJECTED,
  REJECTED_BY_BOTH,
  TRICKY,
  randomExpression,
  randomMutation,
  rng,
} from './corpus.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORACLE = join(ROOT, '.vendor', 'cron-oracle');
const HAVE_ORACLE = existsSync(ORACLE);
if (!HAVE_ORACLE) {
  console.warn(
    `oracle tests skipped: ${ORACLE} not found; run test/oracle/build.sh (needs apt-get source cron, cc)`,
  );
}

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York'] as const;

type OracleLine = { kind: 'ERR' } | { kind: 'REBOOT' } | { kind: 'OK'; times: number[] };

/** Runs the oracle over (start, end] for many expressions in one simulated daemon. */
function oracle(exprs: readonly string[], zone: string, start: number, end: number): OracleLine[] {
  const r = spawnSync(ORACLE, [String(start), String(end)], {
    input: `${exprs.join('\n')}\n`,
    env: { ...process.env, TZ: zone },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`oracle failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(exprs.length);
  return lines.map((l) => {
    if (l === 'ERR') return { kind: 'ERR' };
    if (l === 'REBOOT') return { kind: 'REBOOT' };
    const parts = l.split(' ');
    return { kind: 'OK', times: parts.slice(1).map(Number) };
  });
}

function accepts(expr: string): boolean {
  try {
    parseCron(expr);
    return true;
  } catch (e) {
    if (e instanceof CronSyntaxError) return false;
    throw e;
  }
}

const iso = (s: number): string => new Date(s * 1000).toISOString();

/** Compares sched and the oracle for each expression; returns readable mismatches. */
function compare(exprs: readonly string[], zone: string, start: number, end: number): string[] {
  const got = oracle(exprs, zone, start, end);
  const problems: string[] = [];
  exprs.forEach((expr, i) => {
    const o = got[i]!;
    if (o.kind !== 'OK') {
      problems.push(`${expr}: oracle says ${o.kind}`);
      return;
    }
    const mine = fireTimesBetween(
      { kind: 'cron', expr, source: expr },
      zone,
      new Date(start * 1000),
      new Date(end * 1000),
    ).map((d) => d.getTime() / 1000);
    if (mine.length !== o.times.length || mine.some((t, k) => t !== o.times[k])) {
      const k = mine.findIndex((t, j) => t !== o.times[j]);
      const at = k < 0 ? Math.min(mine.length, o.times.length) : k;
      problems.push(
        `${expr} in ${zone}: sched ${mine.length} times, Debian ${o.times.length}; first difference #${at}: sched ${
          mine[at] === undefined ? '-' : iso(mine[at]!)
        } vs Debian ${o.times[at] === undefined ? '-' : iso(o.times[at]!)}`,
      );
    }
  });
  return problems;
}

const sec = (isoText: string): number => Date.parse(isoText) / 1000;
/** Windows that contain the 2025 and 2026 DST changes of Berlin and New York (and plain time in UTC). */
const DST_WINDOWS: readonly [number, number][] = [
  [sec('2025-03-06T00:00:00Z'), sec('2025-03-12T00:00:00Z')],
  [sec('2025-03-28T00:00:00Z'), sec('2025-04-01T00:00:00Z')],
  [sec('2025-10-24T00:00:00Z'), sec('2025-11-04T00:00:00Z')],
  [sec('2026-03-07T00:00:00Z'), sec('2026-03-10T00:00:00Z')],
  [sec('2026-03-28T12:00:00Z'), sec('2026-03-30T12:00:00Z')],
  [sec('2026-10-24T12:00:00Z'), sec('2026-11-02T12:00:00Z')],
];
const LONG_WINDOW: [number, number] = [sec('2023-12-30T00:00:00Z'), sec('2025-03-05T00:00:00Z')];

/** Few fires per day: safe to compare over years. */
function sparse(expr: string): boolean {
  const s = parseCron(expr);
  return s.minute.filter(Boolean).length * s.hour.filter(Boolean).length <= 6;
}

describe.skipIf(!HAVE_ORACLE)('Debian cron oracle', () => {
  test('the tricky corpus is accepted by both and has at least 100 cases', () => {
    expect(TRICKY.length).toBeGreaterThanOrEqual(100);
    const res = oracle(TRICKY, 'UTC', 0, 0);
    const disagreements = TRICKY.filter((e, i) => (res[i]!.kind === 'OK') !== accepts(e));
    expect(disagreements).toEqual([]);
  });

  for (const zone of ZONES) {
    test(`tricky expressions around DST changes in ${zone}`, () => {
      const problems = DST_WINDOWS.flatMap(([a, b]) => compare(TRICKY, zone, a, b));
      expect(problems).toEqual([]);
    });

    test(`sparse tricky expressions over 14 months (Feb 29 2024 included) in ${zone}`, () => {
      const exprs = TRICKY.filter(sparse);
      expect(compare(exprs, zone, ...LONG_WINDOW)).toEqual([]);
    });
  }

  test('what Debian rejects, sched rejects', () => {
    const res = oracle(REJECTED_BY_BOTH, 'UTC', 0, 0);
    const debianAccepts = REJECTED_BY_BOTH.filter((_, i) => res[i]!.kind !== 'ERR');
    expect(debianAccepts).toEqual([]);
    expect(REJECTED_BY_BOTH.filter(accepts)).toEqual([]);
  });

  test('sched deliberately rejects junk that Debian silently accepts (listed explicitly)', () => {
    const exprs = DELIBERATELY_REJECTED.map((d) => d.expr);
    const res = oracle(exprs, 'UTC', 0, 0);
    expect(exprs.filter((_, i) => res[i]!.kind !== 'OK')).toEqual([]);
    expect(exprs.filter(accepts)).toEqual([]);
  });

  const random = rng(20251122);
  const RANDOM_DENSE = Array.from({ length: 240 }, () => randomExpression(random, false));
  const RANDOM_SPARSE = Array.from({ length: 120 }, () => randomExpression(random, true));

  for (const zone of ZONES) {
    test(`${RANDOM_DENSE.length + RANDOM_SPARSE.length} random expressions around DST changes in ${zone}`, () => {
      const exprs = [...RANDOM_DENSE, ...RANDOM_SPARSE];
      const res = oracle(exprs, 'UTC', 0, 0);
      expect(exprs.filter((e, i) => (res[i]!.kind === 'OK') !== accepts(e))).toEqual([]);
      const problems = DST_WINDOWS.slice(0, 3).flatMap(([a, b]) => compare(exprs, zone, a, b));
      expect(problems).toEqual([]);
    });

    test(`random sparse expressions over 14 months in ${zone}`, () => {
      expect(compare(RANDOM_SPARSE, zone, ...LONG_WINDOW)).toEqual([]);
    });
  }

  test('random mutations: Debian rejects => sched rejects; both accept => same fire times; else a deliberate rejection', () => {
    const next = rng(7);
    const bases = [...TRICKY.filter((e) => !e.startsWith('@')), ...RANDOM_DENSE.slice(0, 60)];
    const muts = Array.from({ length: 400 }, () =>
      randomMutation(next, bases[Math.floor(next() * bases.length)]!),
    )
      // a mutation that makes 6 fields changes what the line means to Debian (command); skip those
      .filter((e) => e.trim().split(/\s+/).length === 5);
    const res = oracle(muts, 'UTC', 0, 0);
    const wrongAccepts: string[] = [];
    const undocumented: string[] = [];
    const bothAccept: string[] = [];
    muts.forEach((e, i) => {
      const debian = res[i]!.kind === 'OK';
      let err: CronSyntaxError | undefined;
      try {
        parseCron(e);
      } catch (x) {
        if (!(x instanceof CronSyntaxError)) throw x;
        err = x;
      }
      if (!debian && !err) wrongAccepts.push(e);
      if (debian && err && !/silently ignore|reversed range/.test(err.message)) {
        undocumented.push(`${e}: ${err.message}`);
      }
      if (debian && !err) bothAccept.push(e);
    });
    expect(wrongAccepts).toEqual([]);
    expect(undocumented).toEqual([]);
    expect(compare(bothAccept, 'Europe/Berlin', ...DST_WINDOWS[1]!)).toEqual([]);
  });

  // Beyond the three required zones: half-hour DST (Lord Howe), changes at midnight (Santiago,
  // Havana), southern hemisphere. Windows of ±2 days around each 2025 change.
  for (const zone of ['Australia/Lord_Howe', 'America/Santiago', 'America/Havana', 'Australia/Sydney']) {
    test(`tricky expressions around the 2025 DST changes in ${zone}`, () => {
      const windows: [number, number][] = [];
      let t = sec('2025-01-01T00:00:00Z');
      for (;;) {
        const tr = nextTransition(zone, t, sec('2026-01-01T00:00:00Z'));
        if (tr === undefined) break;
        windows.push([tr - 2 * 86400, tr + 2 * 86400]);
        t = tr;
      }
      expect(windows.length).toBeGreaterThanOrEqual(2);
      expect(windows.flatMap(([a, b]) => compare(TRICKY, zone, a, b))).toEqual([]);
    });
  }
});
