/**
 * What `sched plan` does once its flags are parsed — shared by the oclif command and the fast
 * path in bin/run.js that skips oclif's start-up for the common invocations (a drift check runs
 * `sched plan --detailed-exitcode` over and over).
 */
import { fileSystemError } from '../errors.js';
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
    const { renderPlanText, shouldColor } = await import('../plan/view-text.js');
    const { writePaged } = await import('./pager.js');
    let text = renderPlanText(plan, { color: shouldColor(process.stdout), compact: opts.compact });
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

/**
 * Parses `sched plan` arguments for the fast path: the flags the oclif command defines, in the
 * forms `--flag VALUE`, `--flag=VALUE` and `-f VALUE`. Anything else — help, an unknown flag, a
 * missing value, an argument — returns undefined, and oclif parses it (and explains the problem).
 */
export function parseFastPlanArgs(argv: readonly string[]): PlanCommandOptions | undefined {
  const opts: PlanCommandOptions = { file: 'schedules.yaml', scope: 'user' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('-')) return undefined;
      i++;
      return v;
    };
    const boolean = (): boolean => eq < 0;
    let v: string | undefined;
    switch (name) {
      case '-f':
      case '--file':
        if ((v = value()) === undefined || v === '') return undefined;
        opts.file = v;
        break;
      case '--target':
        if ((v = value()) === undefined || v === '') return undefined;
        (opts.target ??= []).push(v);
        break;
      case '--out':
        if ((v = value()) === undefined || v === '') return undefined;
        opts.out = v;
        break;
      case '--scope':
        v = value();
        if (v !== 'user' && v !== 'system') return undefined;
        opts.scope = v;
        break;
      case '--detailed-exitcode':
        if (!boolean()) return undefined;
        opts.detailedExitcode = true;
        break;
      case '--json':
        if (!boolean()) return undefined;
        opts.json = true;
        break;
      case '--no-pager':
        if (!boolean()) return undefined;
        opts.noPager = true;
        break;
      case '--compact':
        if (!boolean()) return undefined;
        opts.compact = true;
        break;
      default:
        return undefined;
    }
  }
  return opts;
}
