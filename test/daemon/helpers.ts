/**
 * Test doubles for the daemon loop: simulated time (a clock and timers that only move when told),
 * a recording spawner, and an independent brute-force fire-time oracle for simple cron expressions.
 */
import type { Schedule } from '../../src/model/job.js';
import type { RunHandle, RunRequest, Timers } from '../../src/daemon/daemon.js';
import type { Clock } from '../../src/platform/ports.js';
import { wallClock } from '../backends/oracles/zone.js';
import { cron } from '../fakes/job.js';

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Simulated time: `now` moves only in `advanceTo`, firing due timers in order. */
export class FakeTime implements Clock, Timers {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];
  /** Fires each timer this many ms early (real timers and the wall clock do not agree exactly). */
  earlyMs = 0;
  /** Every delay asked for, to check the loop's sleeps. */
  readonly delays: number[] = [];
  /** Time spent in {@link suspend}, and wall-clock steps ({@link stepWall}), in total. */
  private asleep = 0;
  private stepped = 0;

  constructor(start: Date) {
    this.t = start.getTime();
  }
  now(): Date {
    return new Date(this.t + this.stepped);
  }
  /** CLOCK_MONOTONIC: stands still while suspended, ignores wall steps. */
  monotonic = (): number => this.t - this.asleep;
  /** CLOCK_BOOTTIME: counts time suspended, ignores wall steps. */
  bootClock = (): number => this.t;
  /**
   * The machine sleeps `ms`: the wall and boot clocks move on, the monotonic clock does not, and
   * pending timers (which count monotonic time) fire that much later.
   */
  suspend(ms: number): void {
    this.t += ms;
    this.asleep += ms;
    for (const timer of this.timers) timer.at += ms;
  }
  /** The wall clock is set `ms` ahead (NTP, a user): only now() moves. */
  stepWall(ms: number): void {
    this.stepped += ms;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    const id = ++this.seq;
    // Early only for longer sleeps: a short re-arm lands on time (else the fake would spin forever).
    this.timers.push({ id, at: this.t + (ms > 100 ? ms - this.earlyMs : ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  /** Runs timers due up to `target` in time order (letting promises settle in between), then sets now = target. */
  async advanceTo(target: Date): Promise<void> {
    const end = target.getTime();
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = Math.max(this.t, end);
    await settle();
  }
  async advanceBy(ms: number): Promise<void> {
    await this.advanceTo(new Date(this.t + ms));
  }
}

/** Lets pending promise callbacks (async rescans, exit handlers) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export interface Spawned {
  request: RunRequest;
  at: Date;
  signals: string[];
  exit(code?: number): void;
}

/** A spawner that records each request; runs exit at once unless `holdOpen` is set. */
export class RecordingSpawner {
  readonly spawned: Spawned[] = [];
  holdOpen = false;
  /** Runs exit on their own on SIGTERM (like the wrapper does). */
  exitOnTerm = true;
  private pid = 1000;

  constructor(private readonly clock: Clock) {}

  spawn = (request: RunRequest): RunHandle => {
    let resolveExit!: (r: { code: number | null; signal: string | null }) => void;
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => (resolveExit = r));
    const rec: Spawned = {
      request,
      at: this.clock.now(),
      signals: [],
      exit: (code = 0) => resolveExit({ code, signal: null }),
    };
    this.spawned.push(rec);
    if (!this.holdOpen) rec.exit(0);
    return {
      pid: ++this.pid,
      exited,
      kill: (signal) => {
        rec.signals.push(signal);
        if (this.exitOnTerm) resolveExit({ code: null, signal });
      },
      forceKill: () => {
        rec.signals.push('SIGKILL');
        resolveExit({ code: null, signal: 'SIGKILL' });
      },
    };
  };

  fires(): { key: string; at: string }[] {
    return this.spawned
      .filter((s) => s.request.job)
      .map((s) => ({ key: `${s.request.project}/${s.request.job}`, at: s.at.toISOString() }));
  }
}

// ---- brute-force oracle: independent of src/schedule ----

/** Wall-clock fields of `d` in `zone`, with the weekday (0 = Sunday), from the oracles' own zone code. */
function localFields(
  d: Date,
  zone: string,
): { minute: number; hour: number; dom: number; month: number; dow: number } {
  const w = wallClock(d.getTime(), zone);
  const dow = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
  return { minute: w.minute, hour: w.hour, dom: w.day, month: w.month, dow };
}

function fieldMatches(text: string, value: number): boolean {
  return text.split(',').some((part) => {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    if (range === '*') return value % step === 0;
    const [a, b] = range!.split('-').map(Number);
    const lo = a!;
    const hi = b ?? (stepText ? Infinity : a!);
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/**
 * Fire times by scanning every UTC minute and matching the local wall-clock fields — only for
 * simple expressions (no names, dom and dow not both restricted) in zones with no DST change in
 * the window. Deliberately naive: it shares no code with the engine.
 */
export function bruteForceNextFire(schedule: Schedule, zone: string, from: Date, count: number): Date[] {
  if (schedule.kind !== 'cron') return [];
  const [mi, ho, dom, mo, dow] = schedule.expr.split(/\s+/);
  const out: Date[] = [];
  let t = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000;
  for (let i = 0; out.length < count && i < 60 * 24 * 400; i++, t += 60_000) {
    const f = localFields(new Date(t), zone);
    if (
      fieldMatches(mi!, f.minute) &&
      fieldMatches(ho!, f.hour) &&
      fieldMatches(dom!, f.dom) &&
      fieldMatches(mo!, f.month) &&
      fieldMatches(dow!, f.dow)
    ) {
      out.push(new Date(t));
    }
  }
  return out;
}

export { cron };

/** The brute-force instants in (from, to]. */
export function bruteForceBetween(schedule: Schedule, zone: string, from: Date, to: Date): Date[] {
  const out: Date[] = [];
  let t = from;
  for (;;) {
    const [next] = bruteForceNextFire(schedule, zone, t, 1);
    if (!next || next.getTime() > to.getTime()) return out;
    out.push(next);
    t = next;
  }
}
