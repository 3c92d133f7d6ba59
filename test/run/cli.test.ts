import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/run/cli.js';

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
