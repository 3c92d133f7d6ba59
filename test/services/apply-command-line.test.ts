/**
 * The command line an apply records in its lock (what a second apply is shown) comes from its
 * caller — `HostSettings.commandLine`, or the lock options' `command` — never from the service
 * reading process.argv.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireApplyLock, LockHeldError } from '../../src/apply/lock.js';
import { invokedCommandLine } from '../../src/cli/command-line.js';
import { applyUnderLock } from '../../src/services/apply.js';
import { defaultHost, type HostSettings } from '../../src/services/host.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** What a second apply sees while `applyUnderLock` holds the project lock of `demo`. */
async function holderSeenBySecondApply(host: HostSettings, command?: string): Promise<string> {
  let seen = '';
  await applyUnderLock(
    {
      project: 'demo',
      plan: async () => {
        const second = await acquireApplyLock(host.env.SCHED_HOME!, 'demo', 'sched apply (second)').catch(
          (e: unknown) => e,
        );
        expect(second).toBeInstanceOf(LockHeldError);
        seen = (second as LockHeldError).holderText;
        throw new Error('stop here: nothing to apply');
      },
      decide: async () => undefined,
    },
    host,
    command === undefined ? {} : { command },
  ).catch((e: unknown) => {
    if (!(e instanceof Error) || !e.message.startsWith('stop here')) throw e;
  });
  return seen;
}

function host(overrides: Partial<HostSettings> = {}): HostSettings {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-apply-cmdline-'));
  dirs.push(root);
  fs.chmodSync(root, 0o700);
  return defaultHost({ env: { SCHED_HOME: path.join(root, 'state') }, ...overrides });
}

describe('the command line in the apply lock', () => {
  it("is the host's command line, given by the caller", async () => {
    const seen = await holderSeenBySecondApply(host({ commandLine: 'sched apply -f deploy/schedules.yaml' }));
    expect(seen).toContain('`sched apply -f deploy/schedules.yaml`');
  });

  it("is the lock options' command when one is given (the dashboard names itself)", async () => {
    const seen = await holderSeenBySecondApply(host({ commandLine: 'sched ui' }), 'sched ui (apply)');
    expect(seen).toContain('`sched ui (apply)`');
  });

  it('is plain `sched` when the caller gives none', async () => {
    expect(await holderSeenBySecondApply(host())).toMatch(/, `sched`\)$/);
  });

  it('the CLI builds it from its own argv, as before', () => {
    expect(invokedCommandLine(['/usr/bin/node', '/opt/sched/bin/run.js', 'apply', '-f', 'x.yaml'])).toBe(
      'sched apply -f x.yaml',
    );
  });
});
