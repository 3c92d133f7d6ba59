/**
 * The fast path of `sched plan` (bin/run.js, without oclif) must read its flags exactly as the
 * oclif command does, and leave everything else to oclif.
 */
import { describe, expect, it } from 'vitest';
import { parseFastPlanArgs } from '../../src/cli/plan-command.js';
import Plan from '../../src/commands/plan.js';

describe('parseFastPlanArgs', () => {
  it('has the oclif command’s defaults', () => {
    expect(parseFastPlanArgs([])).toEqual({ file: Plan.flags.file.default, scope: Plan.flags.scope.default });
  });

  it('reads every flag in its --flag VALUE, --flag=VALUE and short forms', () => {
    expect(
      parseFastPlanArgs([
        '-f',
        'ops/schedules.yaml',
        '--target',
        'a',
        '--target=b',
        '--out=plan.json',
        '--detailed-exitcode',
        '--json',
        '--scope',
        'system',
      ]),
    ).toEqual({
      file: 'ops/schedules.yaml',
      target: ['a', 'b'],
      out: 'plan.json',
      detailedExitcode: true,
      json: true,
      scope: 'system',
    });
    expect(parseFastPlanArgs(['--file=x.yaml'])?.file).toBe('x.yaml');
    expect(parseFastPlanArgs(['--file', 'x.yaml'])?.file).toBe('x.yaml');
  });

  it.each([
    [['--help']],
    [['-h']],
    [['--bogus']],
    [['extra-argument']],
    [['-f']],
    [['-f', '--json']],
    [['--scope', 'root']],
    [['--json=yes']],
  ])('leaves %j to oclif', (argv) => {
    expect(parseFastPlanArgs(argv)).toBeUndefined();
  });

  // oclif reads these too (test/cli/flag-spec-parity.test.ts proves the two readings agree).
  it('reads -fFILE, an empty --file= and a bare -- as oclif does', () => {
    expect(parseFastPlanArgs(['-fx.yaml'])?.file).toBe('x.yaml');
    expect(parseFastPlanArgs(['--file='])?.file).toBe('');
    expect(parseFastPlanArgs(['--'])).toEqual({ file: 'schedules.yaml', scope: 'user' });
  });

  it('knows every flag of the oclif command, and no other', () => {
    const oclifFlags = Object.entries(Plan.flags).map(([name, f]) => ({
      name,
      char: (f as { char?: string }).char,
      type: (f as { type: string }).type,
    }));
    for (const f of oclifFlags) {
      const forms = [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])];
      for (const form of forms) {
        const argv = f.type === 'boolean' ? [form] : [form, f.name === 'scope' ? 'system' : 'value'];
        expect(parseFastPlanArgs(argv), form).toBeDefined();
      }
    }
    // A flag name the oclif command does not define is never taken.
    const known = new Set(oclifFlags.flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]));
    for (const guess of ['--target-all', '--files', '--detailed', '-t', '-j', '-o', '--color'])
      if (!known.has(guess)) expect(parseFastPlanArgs([guess, 'v']), guess).toBeUndefined();
  });
});
