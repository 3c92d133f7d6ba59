import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/run/cli.js';
import { catchUpInvocation, runInvocation } from '../../src/backends/invocation.js';
import type { RenderContext } from '../../src/backends/types.js';

describe('parseRunArgs (the fast path parses flags like the oclif command)', () => {
  it('reads the scheduled invocation every backend renders', () => {
    expect(parseRunArgs(['run', '--project', 'billing', '--trigger', 'crontab', 'nightly'])).toEqual({
      project: 'billing',
      trigger: 'crontab',
      job: 'nightly',
    });
    expect(parseRunArgs(['run', '--project', 'billing', '--trigger', 'launchd', '--catch-up'])).toEqual({
      project: 'billing',
      trigger: 'launchd',
      catchUp: true,
    });
  });

  it('reads back exactly what the backends render, --state-dir included', () => {
    const ctx: RenderContext = {
      nodePath: '/usr/bin/node',
      schedBin: '/opt/sched/bin/run.js',
      stateDir: '/srv/state',
      hostTimezone: 'UTC',
      homeDir: '/home/u',
      explicitStateDir: '/srv/state',
    };
    expect(parseRunArgs(runInvocation(ctx, 'systemd', 'billing', 'nightly').slice(2))).toEqual({
      project: 'billing',
      trigger: 'systemd',
      stateDir: '/srv/state',
      job: 'nightly',
    });
    expect(
      parseRunArgs(catchUpInvocation({ ...ctx, explicitStateDir: undefined }, 'crontab', 'billing').slice(2)),
    ).toEqual({
      project: 'billing',
      trigger: 'crontab',
      catchUp: true,
    });
  });

  it('accepts --flag=value, short flags and --', () => {
    expect(parseRunArgs(['--project=p', '-f', 'x.yaml', '--', 'job'])).toEqual({
      project: 'p',
      file: 'x.yaml',
      job: 'job',
    });
  });

  it('refuses unknown flags, missing values and extra arguments', () => {
    expect(() => parseRunArgs(['run', '--nope'])).toThrow(/unknown flag/);
    expect(() => parseRunArgs(['run', '--project'])).toThrow(/needs a value/);
    expect(() => parseRunArgs(['run', 'a', 'b'])).toThrow(/unexpected argument/);
  });
});
