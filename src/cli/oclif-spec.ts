/**
 * oclif's view of a {@link CommandSpec}: the static flags, args, summary, description and examples
 * of the command class, derived from the same spec the fast parser reads (src/model/flag-spec.ts),
 * so `sched run`/`sched plan` parse and document alike with or without oclif. Only commands import
 * this module (it loads @oclif/core); the fast path never does.
 */
import { Args, Flags, type Interfaces } from '@oclif/core';
import type { ArgSpec, CommandSpec, FlagSpec } from '../model/flag-spec.js';

/** The oclif flag type a spec entry becomes, so commands keep typed `flags.x` values. */
export type OclifFlagOf<F extends FlagSpec> = F extends { kind: 'boolean' }
  ? Interfaces.BooleanFlag<boolean>
  : F extends { multiple: true }
    ? Interfaces.OptionFlag<string[] | undefined>
    : F extends { default: string }
      ? Interfaces.OptionFlag<string>
      : Interfaces.OptionFlag<string | undefined>;

type Char = Interfaces.AlphabetLowercase | Interfaces.AlphabetUppercase;

/** One spec entry as an oclif flag (the help and the manifest read its description, char, …). */
export function oclifFlag<F extends FlagSpec>(spec: F): OclifFlagOf<F> {
  const common = {
    description: spec.description,
    ...(spec.char ? { char: spec.char as Char } : {}),
  };
  let flag: unknown;
  if (spec.kind === 'boolean') {
    flag = Flags.boolean({
      ...common,
      ...(typeof spec.default === 'boolean' ? { default: spec.default } : {}),
    });
  } else {
    const props = {
      ...common,
      ...(spec.helpValue ? { helpValue: spec.helpValue } : {}),
      ...(spec.options ? { options: [...spec.options] } : {}),
    };
    flag = spec.multiple
      ? Flags.string({ ...props, multiple: true })
      : Flags.string({ ...props, ...(typeof spec.default === 'string' ? { default: spec.default } : {}) });
  }
  return flag as OclifFlagOf<F>;
}

/** Every flag of the spec, by name. */
export function oclifFlags<S extends CommandSpec>(
  spec: S,
): { [K in keyof S['flags']]: OclifFlagOf<S['flags'][K]> } {
  return Object.fromEntries(Object.entries(spec.flags).map(([name, f]) => [name, oclifFlag(f)])) as {
    [K in keyof S['flags']]: OclifFlagOf<S['flags'][K]>;
  };
}

/** Every argument of the spec, by name, in order. */
export function oclifArgs<S extends CommandSpec>(
  spec: S,
): { [K in keyof S['args']]: Interfaces.Arg<string | undefined> } {
  return Object.fromEntries(
    Object.entries(spec.args).map(([name, a]: [string, ArgSpec]) => [
      name,
      // Never read from stdin: a job's argument is on the command line (the fast path reads no stdin).
      Args.string({ description: a.description, required: Boolean(a.required), ignoreStdin: true }),
    ]),
  ) as { [K in keyof S['args']]: Interfaces.Arg<string | undefined> };
}
