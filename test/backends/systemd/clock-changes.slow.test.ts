/**
 * Proof that a rendered systemd timer fires exactly when Debian cron does around clock changes:
 * for a broad corpus (the oracle's tricky expressions and its seeded random ones), in
 * America/New_York, Europe/Berlin and Australia/Lord_Howe (30-minute changes), around every 2025
 * change and a sample of the next ten years', the union of what `systemd-analyze calendar` computes
 * for the timer's OnCalendar= lines equals the fire times of Debian's own cron code
 * (`.vendor/cron-oracle`, built by test/oracle/build.sh).
 *
 * The broad runs evaluate the zone-suffixed calendar lines with the suffix removed under TZ=zone:
 * systemd evaluates a zone-suffixed spec in a forked child per iteration (~2 ms each), far too slow
 * for this corpus, and the suffix-less spec in the process zone is the same computation. The
 * compensation lines (explicit UTC dates) are passed as rendered. One run per zone uses the lines
 * exactly as rendered, on the tricky corpus. Skipped, with a message, without the oracle or
 * systemd-analyze.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseTimerUnit } from '../../../src/backends/systemd/parse.js';
import { renderSystemdJob } from '../../../src/backends/systemd/render.js';
import { canEverFire, CronSyntaxError, parseCron } from '../../../src/schedule/cron.js';
import { clockChanges } from '../../../src/schedule/zoned.js';
import { TRICKY, randomExpression, rng } from '../../oracle/corpus.js';
import { CTX, makeJob } from './fixtures.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ORACLE = join(ROOT, '.vendor', 'cron-oracle');
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const READY = existsSync(ORACLE) && ANALYZE !== undefined;
if (!READY)
  console.warn(
    `SKIP systemd clock-change proof: needs ${ORACLE} (test/oracle/build.sh) and systemd-analyze (Debian package systemd)`,
  );

/** The render moment: the compensation window is 2025-01-01 .. 2040-01-01. */
const NOW = new Date('2025-01-15T12:00:00Z');
const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'] as const;
/** Every change of 2025, and those of a sample of the next ten years. */
const YEARS = [2025, 2028, 2031, 2034] as const;
/** Debian's rule and the calendar differ within 3 hours of a change; compare a wider window. */
const HALF_WINDOW = 4 * 3600;

/** Valid and able to fire (sched refuses a never-firing schedule before any backend sees it). */
function accepts(expr: string): boolean {
  try {
    return canEverFire(parseCron(expr));
  } catch (e) {
    if (e instanceof CronSyntaxError) return false;
    throw e;
  }
}

const random = rng(20251206);
const CORPUS = [
  ...TRICKY,
  ...Array.from({ length: 240 }, () => randomExpression(random, false)),
  ...Array.from({ length: 120 }, () => randomExpression(random, true)),
].filter(accepts);

/** Debian cron's fire times (epoch seconds) in (start, end] for each expression, one daemon. */
function oracle(exprs: readonly string[], zone: string, start: number, end: number): number[][] {
  const r = spawnSync(ORACLE, [String(start), String(end)], {
    input: `${exprs.join('\n')}\n`,
    env: { ...process.env, TZ: zone },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`oracle failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(exprs.length);
  return lines.map((l, i) => {
    if (!l.startsWith('OK')) throw new Error(`oracle: ${exprs[i]} → ${l}`);
    return l.split(' ').slice(1).map(Number);
  });
}

/** The OnCalendar= values of the timer sched renders for `expr` in `zone` at NOW. */
function timerLines(expr: string, zone: string): string[] {
  const job = makeJob({ name: 'j', timezone: zone, schedule: { kind: 'cron', expr, source: expr } });
  const timer = renderSystemdJob(job, CTX, 'user', NOW).find((a) => a.kind === 'timer')!;
  return parseTimerUnit(timer.content).onCalendar;
}

interface Block {
  instants: number[];
  /** Instants are complete up to here (fewer than the iterations asked for: all of them). */
  complete: number;
}

/** One `systemd-analyze calendar` call for many values; one block per value, in order (epoch s). */
async function analyze(values: string[], base: number, iterations: number, tz: string): Promise<Block[]> {
  const { stdout } = await run(
    ANALYZE!,
    ['calendar', `--iterations=${iterations}`, `--base-time=@${base}`, '--', ...values],
    { env: { ...process.env, TZ: tz, LANG: 'C.UTF-8', SYSTEMD_COLORS: '0' }, maxBuffer: 1 << 30 },
  );
  const blocks = stdout.split(/\n\s*\n/).filter((b) => /Normalized form:/.test(b));
  expect(blocks.length).toBe(values.length);
  return blocks.map((block) => {
    const instants: number[] = [];
    // Under TZ=UTC the elapse lines are in UTC; otherwise systemd adds a `(in UTC)` line for each.
    const re =
      tz === 'UTC'
        ? /: \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/gm
        : /\(in UTC\): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/gm;
    for (const m of block.matchAll(re)) instants.push(Date.parse(`${m[1]}T${m[2]}Z`) / 1000);
    return { instants, complete: instants.length < iterations ? Infinity : instants.at(-1)! };
  });
}

const iso = (s: number): string => new Date(s * 1000).toISOString().slice(0, 16);

/**
 * Compares the timer with Debian around each given change; returns mismatches in words and the
 * number of fire times compared. `asRendered`: pass the zone-suffixed lines literally (slow).
 */
async function compare(
  exprs: readonly string[],
  zone: string,
  changes: readonly number[],
  asRendered: boolean,
): Promise<{ mismatches: string[]; compared: number; compensated: number }> {
  const lines = exprs.map((e) => timerLines(e, zone));
  const suffix = ` ${zone}`;
  const values = lines.map((ls) =>
    ls.map((l) => (!asRendered && l.endsWith(suffix) ? l.slice(0, -suffix.length) : l)),
  );
  const mismatches: string[] = [];
  let compared = 0;
  let compensated = 0;
  for (const at of changes) {
    const lo = at - HALF_WINDOW;
    const hi = at + HALF_WINDOW;
    const debian = oracle(exprs, zone, lo, hi);
    // Enough iterations for each expression (a line that uses them all is reported below); calls
    // grouped by that count, so sparse expressions are not iterated as far as minutely ones.
    const needed = values.map((_, i) => debian[i]!.length + 2);
    const blocks: Block[][] = values.map(() => []);
    const bucket = (n: number): number => (n <= 12 ? 0 : n <= 60 ? 1 : 2);
    for (const b of [0, 1, 2]) {
      const group = values.map((_, i) => i).filter((i) => bucket(needed[i]!) === b);
      if (group.length === 0) continue;
      const iterations = Math.max(...group.map((i) => needed[i]!));
      const out = await analyze(
        group.flatMap((i) => values[i]!),
        lo,
        iterations,
        asRendered ? 'UTC' : zone,
      );
      let n = 0;
      for (const i of group) {
        blocks[i] = out.slice(n, n + values[i]!.length);
        n += values[i]!.length;
      }
    }
    exprs.forEach((expr, i) => {
      const mine = blocks[i]!;
      const incomplete = mine.some((b) => b.complete <= hi);
      const timer = [...new Set(mine.flatMap((b) => b.instants))]
        .filter((t) => t <= hi)
        .sort((a, b) => a - b);
      const want = debian[i]!;
      compared += want.length;
      if (lines[i]!.some((l) => l.endsWith(' UTC') && /^\d{4}-/.test(l))) compensated++;
      if (incomplete || timer.join() !== want.join()) {
        const only = (a: number[], b: number[]) => a.filter((t) => !b.includes(t)).map(iso);
        mismatches.push(
          `${expr} in ${zone} near ${iso(at)}${incomplete ? ' (too few iterations)' : ''}: timer only ${only(timer, want).join(' ') || '-'}; Debian only ${only(want, timer).join(' ') || '-'}`,
        );
      }
    });
  }
  return { mismatches, compared, compensated };
}

function sampledChanges(zone: string): number[] {
  const out: number[] = [];
  for (const year of YEARS) {
    const from = Date.UTC(year, 0, 1) / 1000;
    for (const c of clockChanges(zone, from, Date.UTC(year + 1, 0, 1) / 1000)) out.push(c.at);
  }
  return out;
}

describe.skipIf(!READY)('systemd timers fire as Debian cron around clock changes', () => {
  it('has a broad corpus', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(400);
  });

  for (const zone of ZONES) {
    it(`every expression of the corpus, around the sampled changes in ${zone}`, async () => {
      const changes = sampledChanges(zone);
      expect(changes).toHaveLength(YEARS.length * 2);
      const { mismatches, compared, compensated } = await compare(CORPUS, zone, changes, false);
      expect(mismatches).toEqual([]);
      // The comparison is not vacuous: many fire times, and many timers needing compensation.
      expect(compared).toBeGreaterThan(10_000);
      expect(compensated).toBeGreaterThan(50);
    }, 300_000);

    it(`the tricky expressions with the lines exactly as rendered, around 2025's changes in ${zone}`, async () => {
      const changes = sampledChanges(zone).slice(0, 2);
      const exprs = TRICKY.filter(accepts).filter((e) => {
        const s = parseCron(e);
        return s.minute.filter(Boolean).length * s.hour.filter(Boolean).length <= 24;
      });
      const { mismatches, compared } = await compare(exprs, zone, changes, true);
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(100);
    }, 300_000);
  }

  it('the examples of the issue: 30 2 * * * in Berlin runs at 03:00 after the jump; 0 * * * * in New York at 06:00Z; 30 * * * * in Lord Howe in both passes', () => {
    expect(timerLines('30 2 * * *', 'Europe/Berlin')).toContain('2025-03-30 01:00:00 UTC');
    expect(timerLines('0 * * * *', 'America/New_York')).toContain('2025-11-02 06:00:00 UTC');
    expect(timerLines('30 * * * *', 'Australia/Lord_Howe')).toContain('2025-04-05 15:00:00 UTC');
  });
});
