/**
 * The fast path (bin/run.js) parses `sched run`, `sched plan` and `sched apply` with the parser derived from
 * their specs (src/model/flag-spec.ts); oclif parses the same command lines with the flags derived
 * from the same specs. Both must read every argv alike: the same flags and arguments, or the fast
 * parser declines where oclif reports a mistake or shows help.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Parser, type Interfaces } from '@oclif/core';
import { helpAddition } from '@oclif/core/run';
import { asksForHelp, parseArgv, type CommandSpec } from '../../src/model/flag-spec.js';
import { RUN_SPEC } from '../../src/backends/invocation.js';
import { PLAN_SPEC } from '../../src/cli/plan-command.js';
import { APPLY_SPEC } from '../../src/cli/apply-command.js';
import { oclifArgs, oclifFlags } from '../../src/cli/oclif-spec.js';
import Run from '../../src/commands/run.js';
import Plan from '../../src/commands/plan.js';
import Apply from '../../src/commands/apply.js';
import pkg from '../../package.json' with { type: 'json' };

const SPECS: ReadonlyArray<[CommandSpec, { flags?: unknown; args?: unknown }]> = [
  [RUN_SPEC, Run],
  [PLAN_SPEC, Plan],
  [APPLY_SPEC, Apply],
];

type Outcome = { flags: Record<string, unknown>; args: Record<string, unknown> } | 'declined';

async function oclifParse(spec: CommandSpec, argv: string[]): Promise<Outcome> {
  try {
    const out = await Parser.parse(argv, {
      flags: oclifFlags(spec) as Interfaces.FlagInput,
      args: oclifArgs(spec) as Interfaces.ArgInput,
      strict: true,
    });
    return { flags: out.flags, args: out.args };
  } catch {
    return 'declined';
  }
}

function fastParse(spec: CommandSpec, argv: string[]): Outcome {
  return parseArgv(spec, argv) ?? 'declined';
}

/** oclif shows help instead of parsing (its main's check, with sched's package.json). */
const oclifShowsHelp = (id: string, argv: string[]) =>
  helpAddition([id, ...argv], { pjson: pkg, isSingleCommandCLI: false } as unknown as Interfaces.Config);

/** Tokens an argv for this spec is made of: its flags in every form, values, words, mistakes. */
function tokens(spec: CommandSpec): fc.Arbitrary<string[]> {
  const names = Object.keys(spec.flags);
  const flagNames = names.flatMap((n) => [
    `--${n}`,
    ...(spec.flags[n]!.char ? [`-${spec.flags[n]!.char}`] : []),
  ]);
  const values = fc.oneof(
    fc.constantFrom(
      'x',
      'user',
      'system',
      'crontab',
      'a b',
      '',
      '-',
      '--',
      '-1',
      'k=v',
      '--bogus',
      ...flagNames,
    ),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  );
  const flagForms = fc.oneof(
    fc.constantFrom(...flagNames).map((f) => [f]),
    fc.tuple(fc.constantFrom(...flagNames), values).map(([f, v]) => [f, v]),
    fc.tuple(fc.constantFrom(...flagNames), values).map(([f, v]) => [`${f}=${v}`]),
    fc
      .tuple(fc.constantFrom(...names.filter((n) => spec.flags[n]!.char)), values)
      .map(([n, v]) => [`-${spec.flags[n]!.char}${v}`]),
  );
  const other = fc
    .oneof(
      fc.constantFrom('--', '--bogus', '-x', '-1', '-', '--help', '-h', '--no-json', '--json=yes'),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
    )
    .map((t) => [t]);
  return fc
    .array(fc.oneof({ weight: 3, arbitrary: flagForms }, { weight: 2, arbitrary: other }), { maxLength: 7 })
    .map((parts) => parts.flat());
}

describe.each(SPECS)('the $id spec', (spec, command) => {
  it('is what the oclif command declares', () => {
    expect(Object.keys(command.flags as object)).toEqual(Object.keys(spec.flags));
    expect(Object.keys((command.args as object | undefined) ?? {})).toEqual(Object.keys(spec.args));
  });

  it('fast parser and oclif read every generated argv alike (fast-check)', async () => {
    let parsedByBoth = 0;
    let declinedByBoth = 0;
    await fc.assert(
      fc.asyncProperty(tokens(spec), async (argv) => {
        expect(asksForHelp(argv)).toBe(oclifShowsHelp(spec.id, argv));
        const fast = fastParse(spec, argv);
        if (asksForHelp(argv)) {
          // oclif's main shows the help and never parses: the fast path must leave it to oclif.
          expect(fast).toBe('declined');
          return;
        }
        const oclif = await oclifParse(spec, argv);
        expect(fast).toEqual(oclif);
        if (fast === 'declined') declinedByBoth++;
        else parsedByBoth++;
      }),
      { numRuns: 400 },
    );
    // Both sides of the property were exercised, not only the mistakes.
    expect(parsedByBoth).toBeGreaterThan(40);
    expect(declinedByBoth).toBeGreaterThan(40);
  });
});

describe('hand cases', () => {
  const cases: Array<[CommandSpec, string[]]> = [
    [RUN_SPEC, ['--project', 'billing', '--trigger', 'crontab', 'nightly']],
    [RUN_SPEC, ['--project=billing', '-f', 'x.yaml', '--', 'job']],
    [RUN_SPEC, ['-pbilling', 'job']],
    [RUN_SPEC, ['-p=billing', 'job']],
    [RUN_SPEC, ['--catch-up=job']], // oclif: the boolean is set and `job` is the argument
    [RUN_SPEC, ['--', '--catch-up']],
    [RUN_SPEC, ['--file', '-x', 'job']], // a value may start with -
    [RUN_SPEC, ['--file', '-p', 'job']], // …but not be one of the command's flags
    [RUN_SPEC, ['--project', 'a', '--project', 'b']], // given twice
    [RUN_SPEC, ['--nope']],
    [RUN_SPEC, ['a', 'b']],
    [RUN_SPEC, ['-1']],
    [RUN_SPEC, ['--project']],
    [PLAN_SPEC, ['--target', 'a', 'b', '--json', 'c']], // --target takes the words that follow
    [PLAN_SPEC, ['--target=a', '--target', 'b']],
    [PLAN_SPEC, ['--scope', 'root']],
    [PLAN_SPEC, ['--scope=system', '--file=']],
    [PLAN_SPEC, ['--json', '--json']],
    [PLAN_SPEC, ['extra']],
    [PLAN_SPEC, ['--json=yes']],
    [PLAN_SPEC, ['-fx.yaml', '--no-pager']],
  ];
  it.each(cases.map(([spec, argv]) => ({ id: spec.id, spec, argv })))(
    'sched $id $argv',
    async ({ spec, argv }) => {
      expect(fastParse(spec, argv)).toEqual(await oclifParse(spec, argv));
    },
  );

  it('reads the scheduled invocation and the hand forms to the expected options', () => {
    expect(parseArgv(RUN_SPEC, ['--project', 'billing', '--trigger', 'crontab', 'nightly'])).toEqual({
      flags: { project: 'billing', trigger: 'crontab', 'catch-up': false },
      args: { job: 'nightly' },
    });
    expect(parseArgv(PLAN_SPEC, ['--target', 'a', 'b', '--json'])?.flags).toEqual({
      file: 'schedules.yaml',
      target: ['a', 'b'],
      json: true,
      scope: 'user',
      'no-pager': false,
      compact: false,
    });
  });

  it('leaves help and unknown flags to oclif', () => {
    for (const argv of [['--help'], ['job', '-h'], ['--bogus'], ['-x']]) {
      expect(parseArgv(RUN_SPEC, argv)).toBeUndefined();
      expect(parseArgv(PLAN_SPEC, argv)).toBeUndefined();
    }
    // After --, --help is the job's name, not a request for help.
    expect(parseArgv(RUN_SPEC, ['--', '--help'])?.args).toEqual({ job: '--help' });
  });
});
