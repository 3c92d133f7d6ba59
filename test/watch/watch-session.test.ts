/**
 * The watch service with a fake clock, a fake watcher and scripted plans: debouncing, the
 * invalid-file rule, the max-delete hold and its confirmation, no overlapping cycles, clean close.
 */
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/types.js';
import type { PlanOutcome } from '../../src/services/plan.js';
import {
  defaultMaxDelete,
  LockBusyError,
  statusLine,
  WatchSession,
  type CycleResult,
  type WatchDeps,
  type WatchEvent,
} from '../../src/services/watch.js';

const FILE = '/proj/schedules.yaml';

/** A plan with `add` creates, `del` deletes, for the file content `hash`. */
function outcome(hash: string, add: number, del: number, envFiles: string[] = []): PlanOutcome {
  const jobs = [
    ...Array.from({ length: add }, (_, i) => ({ job: `new-${i}`, action: 'create', changes: [{}] })),
    ...Array.from({ length: del }, (_, i) => ({ job: `old-${i}`, action: 'delete', changes: [{}] })),
    { job: 'kept', action: 'no-op', changes: [] },
  ];
  const plan = { fileHash: hash, jobs, summary: { add, change: 0, delete: del } } as unknown as Plan;
  return {
    plan,
    project: { name: 'p', jobs: envFiles.map((e, i) => ({ name: `j${i}`, envFile: e })) },
  } as unknown as PlanOutcome;
}

const invalid = () =>
  new InvalidConfigError(
    [{ file: 'schedules.yaml', line: 3, col: 5, severity: 'error', code: 'yaml', message: 'bad' }],
    'x',
  );

class FakeClock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  set = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clear = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.clear(due.id);
      due.fn();
    }
  }
  get pending(): number {
    return this.timers.length;
  }
}

function harness(opts: {
  apply?: boolean;
  allowDelete?: boolean;
  /** How many cycles find the apply lock held by another process. */
  busyCycles?: number;
  maxDelete?: number;
  applied?: number;
  plans: Array<PlanOutcome | Error | (() => Promise<PlanOutcome>)>;
}) {
  const clock = new FakeClock();
  const events: WatchEvent[] = [];
  const executed: string[] = [];
  /** What each execute applied: `hash +adds -deletes`. */
  const applied: string[] = [];
  let busy = opts.busyCycles ?? 0;
  let lockedCalls = 0;
  let onPath: (p: string) => void = () => {};
  const added: string[][] = [];
  let closed = false;
  let planCalls = 0;
  const deps: WatchDeps = {
    plan: async () => {
      const next = opts.plans[Math.min(planCalls++, opts.plans.length - 1)]!;
      if (next instanceof Error) throw next;
      return typeof next === 'function' ? next() : next;
    },
    locked: async (_file, body) => {
      lockedCalls++;
      if (busy > 0) {
        busy--;
        throw new LockBusyError('the apply lock of project p is held', 'pid 42 on h (`sched apply`)');
      }
      return body();
    },
    execute: async (o, plan) => {
      executed.push(o.plan.fileHash);
      applied.push(
        `${plan.fileHash} +${plan.summary.add} -${plan.jobs.filter((j) => j.action === 'delete').length}`,
      );
      return plan.summary;
    },
    appliedJobCount: async () => opts.applied ?? 4,
    watch: async (_dirs, cb) => {
      onPath = cb;
      return { add: (d) => added.push(d), close: async () => void (closed = true) };
    },
    now: () => new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + clock.t),
    setTimer: clock.set,
    clearTimer: clock.clear,
  };
  const session = new WatchSession(
    { file: FILE, apply: opts.apply ?? true, allowDelete: opts.allowDelete, maxDelete: opts.maxDelete },
    deps,
    (e) => events.push(e),
  );
  const results = () =>
    events
      .filter((e): e is Extract<WatchEvent, { type: 'cycle' }> => e.type === 'cycle')
      .map((e) => e.result);
  return {
    session,
    clock,
    events,
    executed,
    applied,
    results,
    get lockedCalls() {
      return lockedCalls;
    },
    added,
    isClosed: () => closed,
    get planCalls() {
      return planCalls;
    },
    touch: (p = FILE) => onPath(p),
    /** Lets the debounce fire and the cycle finish. */
    async settle(ms = 300) {
      clock.advance(ms);
      await session.idle();
    },
  };
}

describe('WatchSession', () => {
  it('runs one cycle at start, and applies it with apply', async () => {
    const h = harness({ plans: [outcome('h1', 1, 0)] });
    await h.session.start();
    expect(h.results().map((r) => [r.trigger, r.status])).toEqual([['start', 'applied']]);
    expect(h.executed).toEqual(['h1']);
  });

  it('debounces a burst of events into one cycle, and ignores other files in the folder', async () => {
    const h = harness({ plans: [outcome('h1', 0, 0), outcome('h2', 1, 0)] });
    await h.session.start();
    h.touch('/proj/.schedules.yaml.swp');
    h.touch('/proj/other.yaml');
    expect(h.clock.pending).toBe(0);
    for (let i = 0; i < 5; i++) {
      h.touch();
      h.clock.advance(100); // each event within the debounce window restarts it
    }
    expect(h.planCalls).toBe(1);
    await h.settle(300);
    expect(h.planCalls).toBe(2);
    expect(h.results().map((r) => r.status)).toEqual(['unchanged', 'applied']);
  });

  it('an invalid, empty or missing file changes nothing and reports its diagnostics', async () => {
    const h = harness({ plans: [outcome('h1', 0, 0), invalid()] });
    await h.session.start();
    h.touch();
    await h.settle();
    const last = h.results().at(-1)!;
    expect(last.status).toBe('invalid');
    expect(last.diagnostics?.[0]?.line).toBe(3);
    expect(h.executed).toEqual([]);
  });

  it('without apply, only plans', async () => {
    const h = harness({ apply: false, plans: [outcome('h1', 2, 3)] });
    await h.session.start();
    expect(h.results()[0]!.status).toBe('planned');
    expect(h.executed).toEqual([]);
  });

  it('with --allow-delete, holds back a plan deleting more than half the applied jobs, until confirmed', async () => {
    const h = harness({ allowDelete: true, applied: 4, plans: [outcome('h1', 0, 3), outcome('h1', 0, 3)] });
    await h.session.start();
    const held = h.results()[0]!;
    expect(held).toMatchObject({ status: 'held', deletes: 3, maxDelete: 2 });
    expect(h.session.isHeld).toBe(true);
    expect(h.executed).toEqual([]);
    expect(h.session.confirm()).toBe(true);
    await h.session.idle();
    expect(h.results()[1]).toMatchObject({ trigger: 'confirm', status: 'applied' });
    expect(h.executed).toEqual(['h1']);
    expect(h.session.confirm()).toBe(false); // nothing held any more
  });

  it('a confirmation does not approve a file that changed since it was held', async () => {
    const h = harness({ allowDelete: true, applied: 4, plans: [outcome('h1', 0, 3), outcome('h2', 0, 4)] });
    await h.session.start();
    h.session.confirm();
    await h.session.idle();
    expect(h.results()[1]).toMatchObject({ status: 'held', deletes: 4 });
    expect(h.executed).toEqual([]);
  });

  it('a held plan is re-decided when the file changes: fewer deletions are applied', async () => {
    const h = harness({ allowDelete: true, applied: 4, plans: [outcome('h1', 0, 3), outcome('h2', 0, 2)] });
    await h.session.start();
    h.touch();
    await h.settle();
    expect(h.results().map((r) => r.status)).toEqual(['held', 'applied']);
    expect(h.executed).toEqual(['h2']);
  });

  it('--max-delete overrides the default', async () => {
    const h = harness({ allowDelete: true, maxDelete: 3, applied: 4, plans: [outcome('h1', 0, 3)] });
    await h.session.start();
    expect(h.results()[0]!.status).toBe('applied');
  });

  it('without --allow-delete, applies adds and holds back every deletion until confirmed (issue 11.4)', async () => {
    const h = harness({ applied: 10, plans: [outcome('h1', 2, 1), outcome('h1', 2, 1)] });
    await h.session.start();
    expect(h.results()[0]).toMatchObject({
      status: 'held',
      heldJobs: ['old-0'],
      applied: { add: 2, change: 0, delete: 0 },
    });
    expect(h.applied).toEqual(['h1 +2 -0']); // the adds went ahead, the deletion did not
    expect(statusLine(h.results()[0]!, true)).toMatch(
      /2 to add, 0 to change, 1 to delete — applied 2 added, 0 changed; held back: deleting 1 job \(old-0\) waits for your confirmation$/,
    );
    expect(h.session.confirm()).toBe(true);
    await h.session.idle();
    expect(h.results()[1]).toMatchObject({ trigger: 'confirm', status: 'applied' });
    expect(h.applied).toEqual(['h1 +2 -0', 'h1 +2 -1']);
  });

  it('a deletion alone is held back and nothing is executed', async () => {
    const h = harness({ applied: 10, plans: [outcome('h1', 0, 1)] });
    await h.session.start();
    expect(h.results()[0]).toMatchObject({ status: 'held', heldJobs: ['old-0'] });
    expect(h.results()[0]!.applied).toBeUndefined();
    expect(h.applied).toEqual([]);
  });

  it('plans and applies under the apply lock; while another apply holds it, reports once and retries', async () => {
    const h = harness({ busyCycles: 2, plans: [outcome('h1', 1, 0)] });
    await h.session.start();
    expect(h.results().map((r) => r.status)).toEqual(['busy']);
    expect(statusLine(h.results()[0]!, true)).toMatch(/waiting: another apply holds the lock \(pid 42/);
    expect(h.planCalls).toBe(0); // nothing was read from the host without the lock
    await h.settle(2000);
    await h.settle(2000);
    expect(h.results().map((r) => r.status)).toEqual(['busy', 'applied']); // reported once
    expect(h.lockedCalls).toBe(3);
    expect(h.executed).toEqual(['h1']);
  });

  it('the default limit is half the applied jobs, at least one', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(defaultMaxDelete)).toEqual([1, 1, 1, 1, 2, 2, 5]);
  });

  it('a save during a cycle queues exactly one more cycle; cycles never overlap', async () => {
    let release!: () => void;
    let active = 0;
    let maxActive = 0;
    const slow = () =>
      new Promise<PlanOutcome>((resolve) => {
        active++;
        maxActive = Math.max(maxActive, active);
        release = () => {
          active--;
          resolve(outcome('h2', 1, 0));
        };
      });
    const h = harness({ plans: [outcome('h1', 0, 0), slow, outcome('h3', 1, 0)] });
    await h.session.start();
    h.touch();
    h.clock.advance(300); // cycle 2 starts and waits in plan()
    h.touch();
    h.clock.advance(300);
    h.touch();
    h.clock.advance(300); // two more saves while it runs
    release();
    await h.session.idle();
    expect(maxActive).toBe(1);
    expect(h.planCalls).toBe(3);
    expect(h.executed).toEqual(['h2', 'h3']);
  });

  it('a plan that fails (backend error) is reported and the watch goes on', async () => {
    const h = harness({ plans: [new Error('crontab: permission denied'), outcome('h2', 1, 0)] });
    await h.session.start();
    expect(h.results()[0]).toMatchObject({ status: 'failed' });
    h.touch();
    await h.settle();
    expect(h.results()[1]!.status).toBe('applied');
  });

  it('follows the env files a valid file names', async () => {
    const h = harness({ plans: [outcome('h1', 0, 0, ['/secrets/.env.job']), outcome('h2', 1, 0)] });
    await h.session.start();
    expect(h.added).toEqual([['/secrets']]);
    h.touch('/secrets/.env.job');
    await h.settle();
    expect(h.planCalls).toBe(2);
  });

  it('close stops the watcher, cancels a pending cycle and waits for a running one', async () => {
    const h = harness({ plans: [outcome('h1', 0, 0), outcome('h2', 1, 0)] });
    await h.session.start();
    h.touch();
    await h.session.close();
    h.clock.advance(1000);
    h.touch();
    expect(h.isClosed()).toBe(true);
    expect(h.planCalls).toBe(1);
    expect(h.events.at(-1)).toEqual({ type: 'closed' });
  });
});

describe('statusLine', () => {
  const at = new Date(2026, 0, 1, 12, 3, 4); // local time, as printed
  const plan = outcome('h', 1, 0).plan;
  const line = (r: Partial<CycleResult>, apply = true) =>
    statusLine({ at, trigger: 'change', status: 'applied', ...r } as CycleResult, apply);
  it('reads like the issue asks', () => {
    expect(line({ plan })).toBe('[12:03:04] plan: 1 to add, 0 to change, 0 to delete — applied');
    expect(
      line({
        status: 'invalid',
        diagnostics: [
          { file: 'f', line: 1, col: 1, severity: 'error', code: 'a', message: 'x' },
          { file: 'f', line: 2, col: 1, severity: 'error', code: 'b', message: 'y' },
          { file: 'f', line: 2, col: 1, severity: 'warning', code: 'c', message: 'z' },
        ],
      }),
    ).toBe('[12:03:04] invalid: 2 errors (see above) — nothing changed');
    expect(line({ status: 'held', plan: outcome('h', 0, 3).plan, deletes: 3, maxDelete: 1 })).toBe(
      '[12:03:04] plan: 0 to add, 0 to change, 3 to delete — held back: it deletes 3 jobs, more than --max-delete 1',
    );
    expect(line({ status: 'unchanged', plan })).toBe(
      '[12:03:04] plan: no changes — the host matches the file',
    );
  });
});
