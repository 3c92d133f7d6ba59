/**
 * An apply nobody is asked about (`--auto-approve`, the dashboard's confirmed apply) takes the
 * target locks before the plan reads the host: the plan's read is then made under every lock
 * the apply needs, and the re-check under the target lock (a second `crontab -l` and a second
 * listing of the state) is left out. The compare-and-swap read right before the write stays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acquireTargetLocks, LockHeldError } from '../../src/apply/lock.js';
import { CrontabChangedError } from '../../src/backends/crontab/adapter.js';
import { backendTargetKey } from '../../src/backends/registry.js';
import { applyUnderLock } from '../../src/services/apply.js';
import { hostOptions } from '../../src/services/host.js';
import { makePlan } from '../../src/services/plan.js';
import { FakeCrontab } from '../backends/crontab/fixtures.js';
import { cycleYaml } from './cycle.js';
import { rejection, sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox<FakeCrontab> | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const yaml = (jobs: string[]) => cycleYaml('crontab', 'billing', jobs);
const lists = (runner: FakeCrontab) =>
  runner.calls.filter((c) => c[0] === 'crontab' && c.includes('-l')).length;

/** `sched apply`, asked (`noPrompt` false) or not (true), through the service the CLI uses. */
function apply(s: Sandbox<FakeCrontab>, noPrompt: boolean) {
  return applyUnderLock(
    {
      project: 'billing',
      plan: (beforeHostRead) => makePlan({ file: s.file, beforeHostRead }, s.host),
      decide: async (outcome) => outcome.plan,
      noPrompt,
    },
    s.host,
  );
}

describe('an apply with no prompt', () => {
  it('reads the crontab once before the write re-reads it: one `crontab -l` fewer than an asked apply', async () => {
    sb = await sandbox(() => new FakeCrontab('MAILTO=""\n'), yaml(['nightly', 'hourly']));
    const asked = await apply(sb, false);
    expect(asked.status).toBe('applied');
    // The plan's read, the re-check under the target lock, the compare-and-swap re-read.
    expect(lists(sb.runner)).toBe(3);
    expect(sb.runner.writes).toBe(1);

    await sb.write(yaml(['nightly', 'hourly', 'weekly']));
    sb.runner.calls = [];
    const unasked = await apply(sb, true);
    expect(unasked.status).toBe('applied');
    // The plan's read (under the target lock) and the compare-and-swap re-read.
    expect(lists(sb.runner)).toBe(2);
    expect(sb.runner.writes).toBe(1);
    expect(await sb.appliedSpecs()).toEqual(['hourly', 'nightly', 'weekly']);
    expect(sb.runner.text).toMatch(/^MAILTO=""\n# BEGIN sched billing\n/);
  });

  it("makes the plan's read of the crontab while holding the crontab's target lock", async () => {
    sb = await sandbox(() => new FakeCrontab(''), yaml(['nightly']));
    const s = sb;
    const key = backendTargetKey('crontab', hostOptions(s.host));
    const seenByOther: unknown[] = [];
    s.runner.onList = (n) => {
      if (n !== 1) return;
      // Another apply to the same crontab, trying at the moment of the plan's read.
      void acquireTargetLocks(s.stateDir, [key], 'sched apply (other)', { timeoutMs: 0 }).then(
        (l) => l.release().then(() => seenByOther.push('acquired')),
        (e: unknown) => seenByOther.push(e),
      );
    };
    expect((await apply(s, true)).status).toBe('applied');
    expect(seenByOther).toHaveLength(1);
    expect(seenByOther[0]).toBeInstanceOf(LockHeldError);
  });

  it('still refuses a hand edit made between the plan and the write, and keeps it', async () => {
    sb = await sandbox(() => new FakeCrontab('# mine\n'), yaml(['nightly']));
    const s = sb;
    s.runner.onList = (n) => {
      if (n === 2) s.runner.text = '# mine\n0 5 * * * /usr/bin/backup\n';
    };
    const error = await rejection(apply(s, true));
    expect(error).toBeInstanceOf(CrontabChangedError);
    expect(s.runner.text).toBe('# mine\n0 5 * * * /usr/bin/backup\n');
    expect(s.runner.writes).toBe(0);
  });
});
