/**
 * What `sched apply` does once its flags are parsed — shared by the oclif command and the fast
 * path in bin/run.js, which skips oclif's start-up (about a third of a small apply) for the
 * common invocations. Flags and help come from {@link APPLY_SPEC}, as `plan`'s do from PLAN_SPEC.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { parseArgv, type CommandSpec } from '../model/flag-spec.js';
import {
  AUTO_APPROVE_FLAG,
  COMPACT_FLAG,
  FILE_FLAG,
  FORCE_MOVE_FLAG,
  LOCK_TIMEOUT_FLAG,
  SCOPE_FLAG,
  TARGET_FLAG,
} from './common-flags.js';

export interface ApplyCommandOptions {
  file: string;
  /** A plan saved with `sched plan --out`. */
  planfile?: string;
  target?: string[];
  autoApprove?: boolean;
  /** How long to wait for another apply's lock, in milliseconds (0: refuse at once). */
  lockTimeoutMs: number;
  force?: boolean;
  json?: boolean;
  compact?: boolean;
  scope?: 'user' | 'system';
}

/** Plans (or reads the saved plan), asks, applies and reports; returns the exit code. */
export async function applyCommand(opts: ApplyCommandOptions): Promise<number> {
  const { makePlan } = await import('../services/plan.js');
  const { applyUnderLock, checkSavedPlan, projectOfFile } = await import('../services/apply.js');
  const { defaultHost } = await import('../services/host.js');
  const { invokedCommandLine } = await import('./command-line.js');
  const { planFromJson, planToJson } = await import('../plan/view-json.js');
  const { renderPlanText } = await import('../plan/view-text.js');
  const { useColor } = await import('./color.js');
  const { ask, cancellation, printCancellation } = await import('./confirm.js');
  const { lockWaitNotice } = await import('./lock-notice.js');
  const { applyProgressDisplay } = await import('./apply-progress.js');
  const progress = opts.json ? undefined : applyProgressDisplay(process.stderr);
  const view = () => ({ color: useColor(process.stdout), compact: opts.compact });
  const host = defaultHost({ systemdScope: opts.scope, commandLine: invokedCommandLine() });

  let saved;
  if (opts.planfile) {
    const planfile = opts.planfile;
    const text = await readFile(planfile, 'utf8').catch(() => {
      throw new UserError(`cannot read plan file ${planfile}`);
    });
    try {
      saved = planFromJson(JSON.parse(text));
    } catch (e) {
      const { notASavedPlan } = await import('./usage.js');
      throw notASavedPlan(planfile, text, e);
    }
  }
  const savedPlan = saved;
  let cancelled: ReturnType<typeof cancellation> | undefined;
  const result = await applyUnderLock(
    {
      project: savedPlan ? savedPlan.project : await projectOfFile(opts.file, host),
      plan: (beforeHostRead) =>
        savedPlan
          ? checkSavedPlan(savedPlan, host)
          : makePlan({ file: opts.file, targets: opts.target, beforeHostRead }, host),
      noPrompt: !savedPlan && Boolean(opts.autoApprove),
      decide: async (outcome) => {
        if (savedPlan) return savedPlan;
        if (!opts.json) process.stdout.write(renderPlanText(outcome.plan, view()));
        const question = outcome.plan.installedFrom
          ? `\nDo you want to apply these changes, moving project ${outcome.plan.project} here from ${outcome.plan.installedFrom}?`
          : '\nDo you want to apply these changes?';
        const answer = await ask(question, Boolean(opts.autoApprove));
        if (answer === 'yes') return outcome.plan;
        cancelled = cancellation(answer, 'Apply');
        return undefined;
      },
      // A person who said yes below a plan showing the move approved it; a script needs --force.
      allowMove: Boolean(opts.force) || (!savedPlan && !opts.autoApprove),
    },
    host,
    { timeoutMs: opts.lockTimeoutMs, onWait: lockWaitNotice() },
    progress,
  ).finally(() => progress?.finish());
  if (result.status === 'declined') return printCancellation(cancelled!);
  if (result.status === 'empty') {
    if (!savedPlan && !opts.json) process.stdout.write(renderPlanText(result.outcome.plan, view()));
    if (opts.json) {
      const shown = savedPlan ?? result.outcome.plan;
      process.stdout.write(JSON.stringify({ ...planToJson(shown), applied: true }, null, 2) + '\n');
    } else if (savedPlan) process.stdout.write('No changes to apply.\n');
    return 0;
  }
  const { plan, summary } = result;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ...planToJson(plan), applied: true }, null, 2) + '\n');
  } else {
    process.stdout.write(
      `\nApply complete: ${summary.add} added, ${summary.change} changed, ${summary.delete} deleted.\n`,
    );
  }
  return 0;
}

/** `sched apply`'s flags and help: the oclif command and the fast parser derive from it. */
export const APPLY_SPEC = {
  id: 'apply',
  summary: "Make the host's scheduler match schedules.yaml",
  description: `Plans, shows the plan, asks for confirmation and applies it. With a saved plan (from \`sched plan --out\`), applies exactly that plan and refuses it when the file or the host changed since.

The project's apply lock is held from before the host is read until the apply ends — through the confirmation prompt — so a second apply of the project waits (--lock-timeout) or is refused, naming the holder. Right before changing anything, the plan is checked again: if the file or what is installed changed meanwhile, nothing is changed.

Only what this project installed is ever changed. Applying twice in a row reports no changes the second time. An interrupted apply is finished by the next one.

A project installed from another schedules.yaml (another checkout) is moved here only when you answer yes below a plan that says so, or with --force; --auto-approve alone refuses it.`,
  examples: [
    '<%= config.bin %> apply',
    '<%= config.bin %> apply --auto-approve',
    '<%= config.bin %> apply --auto-approve --lock-timeout 5m',
    '<%= config.bin %> plan --out plan.json && <%= config.bin %> apply plan.json',
  ],
  args: {
    planfile: { description: 'a plan saved with `sched plan --out`' },
  },
  flags: {
    file: FILE_FLAG,
    target: TARGET_FLAG,
    'auto-approve': AUTO_APPROVE_FLAG,
    'lock-timeout': LOCK_TIMEOUT_FLAG,
    force: FORCE_MOVE_FLAG,
    json: { kind: 'boolean', description: 'print the applied plan and summary as JSON' },
    compact: COMPACT_FLAG,
    scope: SCOPE_FLAG,
  },
} as const satisfies CommandSpec;

/** `--lock-timeout`'s text as milliseconds, or undefined when it is not a duration. */
export async function lockTimeoutMs(text: string): Promise<number | undefined> {
  if (text.trim() === '0') return 0;
  const seconds = (await import('../config/duration.js')).parseDuration(text);
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * The options of parsed `apply` flags and arguments (from oclif, whose `--lock-timeout` is
 * already milliseconds, or from {@link parseFastApplyArgs}).
 */
export function applyOptionsOf(
  flags: Readonly<Record<string, unknown>>,
  args: Readonly<Record<string, unknown>>,
  lockTimeout: number,
): ApplyCommandOptions {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const opts: ApplyCommandOptions = {
    file: text(flags.file) ?? FILE_FLAG.default,
    lockTimeoutMs: lockTimeout,
  };
  if (text(args.planfile) !== undefined) opts.planfile = text(args.planfile);
  if (Array.isArray(flags.target)) opts.target = flags.target as string[];
  if (flags['auto-approve'] === true) opts.autoApprove = true;
  if (flags.force === true) opts.force = true;
  if (flags.json === true) opts.json = true;
  if (flags.compact === true) opts.compact = true;
  if (flags.scope === 'user' || flags.scope === 'system') opts.scope = flags.scope;
  return opts;
}

/**
 * Parses `sched apply` arguments for the fast path, as oclif would (src/model/flag-spec.ts).
 * Help, a mistake, or a `--lock-timeout` that is no duration returns undefined: oclif then shows
 * the help or explains the problem.
 */
export async function parseFastApplyArgs(argv: readonly string[]): Promise<ApplyCommandOptions | undefined> {
  const parsed = parseArgv(APPLY_SPEC, argv);
  if (!parsed) return undefined;
  const given = parsed.flags['lock-timeout'];
  const ms = typeof given === 'string' ? await lockTimeoutMs(given) : 0;
  if (ms === undefined) return undefined;
  return applyOptionsOf(parsed.flags, parsed.args, ms);
}
