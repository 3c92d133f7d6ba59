/**
 * One `sched run` command line: every builder (native entries, the embedded daemon, run-now) goes
 * through runArgv, and what it builds is read back — by the fast parser and by oclif alike — as
 * exactly the invocation it was built from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Parser, type Interfaces } from '@oclif/core';
import {
  catchUpInvocation,
  parseRunArgv,
  RUN_SPEC,
  runArgv,
  runInvocation,
  runInvocationOf,
  startsScheduledRun,
  type RunInvocation,
} from '../../src/backends/invocation.js';
import { oclifArgs, oclifFlags } from '../../src/cli/oclif-spec.js';
import { BACKENDS } from '../../src/model/job.js';
import type { RenderContext } from '../../src/backends/types.js';

const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
const invocation: fc.Arbitrary<RunInvocation> = fc.record(
  {
    job: name,
    project: name,
    // A relative or absolute path; never one of run's own flags (a value cannot be one).
    file: fc.string({ minLength: 1 }).filter((s) => !s.startsWith('-')),
    trigger: fc.constantFrom(...BACKENDS),
    catchUp: fc.constant(true),
    stateDir: fc.string().map((s) => `/${s}`),
  },
  { requiredKeys: [] },
);

const ctx: RenderContext = {
  nodePath: '/usr/bin/node',
  schedBin: '/opt/sched/bin/run.js',
  stateDir: '/srv/state',
  hostTimezone: 'UTC',
  homeDir: '/home/u',
  explicitStateDir: '/srv/state',
};

describe('runArgv / parseRunArgv', () => {
  it('round-trips every invocation, and oclif reads the same (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(invocation, async (inv) => {
        const argv = runArgv(inv);
        expect(argv[0]).toBe('run');
        expect(parseRunArgv(argv.slice(1))).toEqual(inv);
        const oclif = await Parser.parse(argv.slice(1), {
          flags: oclifFlags(RUN_SPEC) as Interfaces.FlagInput,
          args: oclifArgs(RUN_SPEC) as Interfaces.ArgInput,
          strict: true,
        });
        expect(runInvocationOf(oclif)).toEqual(inv);
      }),
      { numRuns: 300 },
    );
  });

  it('builds the entries in the order they have always had (crontab lines stay byte-identical)', () => {
    expect(runInvocation(ctx, 'systemd', 'billing', 'nightly')).toEqual([
      '/usr/bin/node',
      '/opt/sched/bin/run.js',
      'run',
      '--project',
      'billing',
      '--trigger',
      'systemd',
      '--state-dir',
      '/srv/state',
      'nightly',
    ]);
    expect(catchUpInvocation({ ...ctx, explicitStateDir: undefined }, 'crontab', 'billing')).toEqual([
      '/usr/bin/node',
      '/opt/sched/bin/run.js',
      'run',
      '--project',
      'billing',
      '--trigger',
      'crontab',
      '--catch-up',
    ]);
    expect(parseRunArgv(runInvocation(ctx, 'launchd', 'billing', 'nightly').slice(3))).toEqual({
      project: 'billing',
      trigger: 'launchd',
      stateDir: '/srv/state',
      job: 'nightly',
    });
  });

  it('finds where an installed entry starts sched run', () => {
    const words = runInvocation(ctx, 'crontab', 'billing', 'nightly');
    expect(words.map((_, i) => startsScheduledRun(words, i)).indexOf(true)).toBe(2);
    expect(startsScheduledRun(['node', 'x', 'run', 'job'], 2)).toBe(false);
  });
});
