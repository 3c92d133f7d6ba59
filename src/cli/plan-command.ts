/**
 * What `sched plan` does once its flags are parsed — shared by the oclif command and the fast
 * path in bin/run.js that skips oclif's start-up for the common invocations (a drift check runs
 * `sched plan --detailed-exitcode` over and over).
 */
import { fileSystemError } from '../errors.js';
import { parseArgv, type CommandSpec } from '../model/flag-spec.js';
import { COMPACT_FLAG, FILE_FLAG, NO_PAGER_FLAG, SCOPE_FLAG, TARGET_FLAG } from './common-flags.js';
import { ignoreClosedStdout } from './stdout.js';

export interface PlanCommandOptions {
  file: string;
  target?: string[];
  out?: string;
  detailedExitcode?: boolean;
  json?: boolean;
  scope?: 'user' | 'system';
  /** `--no-pager`: print a long plan directly even on a terminal. */
  noPager?: boolean;
  /** `--compact`: one line per job and the summary. */
  compact?: boolean;
}

/** Makes and prints the plan; returns the exit code (2: changes, with --detailed-exitcode). */
export async function planCommand(opts: PlanCommandOptions): Promise<number> {
  ignoreClosedStdout();
  const { makePlan } = await import('../services/plan.js');
  const { defaultHost } = await import('../services/host.js');
  const { planToJson } = await import('../plan/view-json.js');
  const { isEmptyPlan } = await import('../plan/types.js');
  const host = defaultHost({ systemdScope: opts.scope });
  // Data for machines gets every job described; the text shows only what changes.
  const describeAll = Boolean(opts.json || opts.out);
  const { plan } = await makePlan({ file: opts.file, targets: opts.target, describeAll }, host);
  if (opts.out) await savePlan(opts.out, JSON.stringify(planToJson(plan), null, 2) + '\n');
  if (opts.json) {
    process.stdout.write(JSON.stringify(planToJson(plan), null, 2) + '\n');
  } else {
    const { renderPlanText } = await import('../plan/view-text.js');
    const { useColor } = await import('./color.js');
    const { writePaged } = await import('./pager.js');
    let text = renderPlanText(plan, { color: useColor(process.stdout), compact: opts.compact });
    if (opts.out) text += `\nSaved the plan to ${opts.out}. Apply exactly it with: sched apply ${opts.out}\n`;
    await writePaged(text, { disabled: opts.noPager });
  }
  return opts.detailedExitcode && !isEmptyPlan(plan) ? 2 : 0;
}

/**
 * Writes the saved plan: a fresh 0600 file renamed into place (an existing file's wider mode is
 * not kept), never written through a symlink — the plan names paths and commands, like the state
 * dir's files. A bad --out path is the user's to fix.
 */
async function savePlan(out: string, text: string): Promise<void> {
  const { writeAtomicSync } = await import('../state/files.js');
  try {
    writeAtomicSync(out, text);
  } catch (e) {
    // The write goes through a temporary file beside --out: name the path the user gave.
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.path === 'string' && err.path !== out) err.path = out;
    throw fileSystemError(e, 'save the plan to', 'Give --out a file path in a folder you can write to.') ?? e;
  }
}

/** `sched plan`'s flags and help: the oclif command and the fast parser derive from it. */
export const PLAN_SPEC = {
  id: 'plan',
  summary: 'Show what apply would change on this host',
  description: `Compares schedules.yaml with what is installed in the host's scheduler and prints, per job, + create, ~ update or - delete with the reason, a unified diff of each native file, the schedule in words and the next fire times.

Reasons: new; changed in the file; edited by hand; missing; not enabled or not loaded; removed from the file; paused; moved from another checkout (the project is installed from another schedules.yaml: applying moves it here, and \`apply --auto-approve\` needs --force for that).

A plan longer than the terminal goes through a pager (SCHED_PAGER, PAGER, else less -FRX); never when piped or with --no-pager.

Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes present (only with --detailed-exitcode).`,
  examples: [
    '<%= config.bin %> plan',
    '<%= config.bin %> plan --target nightly-report',
    '<%= config.bin %> plan --out plan.json && <%= config.bin %> apply plan.json',
    '<%= config.bin %> plan --detailed-exitcode --json > plan.json  # CI drift check: exit 2 on drift',
    '<%= config.bin %> plan --compact  # one line per job, for plans of hundreds of jobs',
  ],
  args: {},
  flags: {
    file: FILE_FLAG,
    target: TARGET_FLAG,
    out: { kind: 'string', description: 'save the plan to FILE for `sched apply FILE`', helpValue: 'FILE' },
    'detailed-exitcode': {
      kind: 'boolean',
      description: 'exit 0 when there are no changes, 2 when there are, 1 on error',
    },
    json: {
      kind: 'boolean',
      description: 'print the plan as JSON (format_version 1, see docs/plan-json.md)',
    },
    scope: SCOPE_FLAG,
    'no-pager': NO_PAGER_FLAG,
    compact: COMPACT_FLAG,
  },
} as const satisfies CommandSpec;

/** The options of parsed `plan` flags (from oclif, or from {@link parseFastPlanArgs}). */
export function planOptionsOf(flags: Readonly<Record<string, unknown>>): PlanCommandOptions {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const opts: PlanCommandOptions = { file: text(flags.file) ?? FILE_FLAG.default };
  if (Array.isArray(flags.target)) opts.target = flags.target as string[];
  if (text(flags.out) !== undefined) opts.out = text(flags.out);
  if (flags['detailed-exitcode'] === true) opts.detailedExitcode = true;
  if (flags.json === true) opts.json = true;
  if (flags.scope === 'user' || flags.scope === 'system') opts.scope = flags.scope;
  if (flags['no-pager'] === true) opts.noPager = true;
  if (flags.compact === true) opts.compact = true;
  return opts;
}

/**
 * Parses `sched plan` arguments for the fast path, as oclif would (src/model/flag-spec.ts).
 * Help or a mistake returns undefined, and oclif shows the help or explains the problem.
 */
export function parseFastPlanArgs(argv: readonly string[]): PlanCommandOptions | undefined {
  const parsed = parseArgv(PLAN_SPEC, argv);
  return parsed && planOptionsOf(parsed.flags);
}
