/**
 * The plan as people read it, Terraform-style: one block per job with `+`/`~`/`-`, the reasons,
 * the schedule in words and the next fire times, and a unified diff of each native artifact.
 */
import { createRequire } from 'node:module';
import { maskSpecText } from '../notify/mask.js';
import type { JobPlan, Plan, PlannedArtifactChange } from './types.js';
import { isEmptyPlan } from './types.js';

// diff takes ~20 ms to load, half of it modules a plan never uses (word, JSON, CSS diffs): only
// its patch module is loaded, and only on first use (a no-change plan shows no diff).
const require = createRequire(import.meta.url);
type PatchModule = typeof import('diff/lib/patch/create.js');
let patches: PatchModule | undefined;

export interface TextViewOptions {
  color: boolean;
  /** Show unchanged jobs too (status-like listing). */
  showUnchanged?: boolean;
  /**
   * One line per changed job (action, name, reasons, schedule) and the summary, without diffs,
   * next runs or notes: a plan of hundreds of jobs stays readable (`--compact`).
   */
  compact?: boolean;
}

const SYMBOL = { create: '+', update: '~', delete: '-', 'no-op': ' ' } as const;
const COLOR = { create: 32, update: 33, delete: 31, 'no-op': 0 } as const;

export function renderPlanText(plan: Plan, options: TextViewOptions): string {
  const paint = (code: number, text: string) =>
    options.color && code ? `\u001b[${code}m${text}\u001b[0m` : text;
  const bold = (text: string) => (options.color ? `\u001b[1m${text}\u001b[0m` : text);
  const out: string[] = [];
  out.push(`Backend: ${plan.backend} (${plan.backendReason})`);
  if (plan.hostTimezone)
    out.push(
      `Host time zone: ${plan.hostTimezone.zone} (from ${plan.hostTimezone.source}), for the jobs with no timezone`,
    );
  for (const warning of plan.warnings) out.push(paint(33, `Warning: ${warning}`));
  if (plan.installedFrom) out.push(paint(33, movedNotice(plan)));
  out.push('');

  const shown = plan.jobs.filter((j) => options.showUnchanged || j.action !== 'no-op');
  if (options.compact) out.push(...compactLines(shown, paint));
  for (const job of options.compact ? [] : shown) {
    const label = job.job === '' ? projectWideLabel(job) : job.job;
    const reasons = job.reasons.length ? ` (${job.reasons.join(', ')})` : '';
    out.push(paint(COLOR[job.action], `${SYMBOL[job.action]} ${bold(label)}${reasons}`));
    const paused = job.enabled === false ? ' (paused)' : '';
    if (job.schedule)
      out.push(`    schedule: ${job.schedule}${job.timezone ? ` [${job.timezone}]` : ''}${paused}`);
    if (job.nextRuns?.length) out.push(`    next:     ${job.nextRuns.join(', ')}`);
    for (const note of job.notes) out.push(paint(33, `    note:     ${note}`));
    for (const change of job.changes) out.push(...renderChange(change, paint));
    out.push('');
  }

  if (isEmptyPlan(plan)) {
    out.push(
      plan.destroy
        ? `No changes. Nothing of project ${plan.project} is installed on ${plan.backend}.`
        : `No changes. The ${plan.backend} scheduler matches ${displayFile(plan.file)}.`,
    );
  } else {
    const { add, change, delete: del } = plan.summary;
    const wide = plan.jobs.find((j) => j.job === '' && j.action !== 'no-op');
    const projectWide = wide
      ? isWakeListener(wide)
        ? ' The project-wide wake listener changes too.'
        : ' The project-wide catch-up entry changes too.'
      : '';
    out.push(bold(`Plan: ${add} to add, ${change} to change, ${del} to delete.${projectWide}`));
  }
  return out.join('\n') + '\n';
}

/** systemd's project-wide unit is the wake listener; elsewhere it is the boot/wake catch-up entry. */
function isWakeListener(job: JobPlan): boolean {
  return job.changes.length > 0 && job.changes.every((c) => c.kind === 'wake listener');
}

function projectWideLabel(job: JobPlan): string {
  return isWakeListener(job)
    ? '(project-wide wake listener: runs the wake jobs on resume)'
    : '(project-wide catch-up at boot/wake)';
}

/** `--compact`: one aligned line per job, then how many notes were left out. */
function compactLines(jobs: readonly JobPlan[], paint: (code: number, text: string) => string): string[] {
  const label = (job: JobPlan) => (job.job === '' ? projectWideLabel(job) : job.job);
  const width = Math.min(40, Math.max(0, ...jobs.map((j) => label(j).length)));
  const lines = jobs.map((job) => {
    const reasons = job.reasons.length ? `(${job.reasons.join(', ')})` : '';
    const paused = job.enabled === false ? ' (paused)' : '';
    const schedule = job.schedule
      ? `  ${job.schedule}${job.timezone ? ` [${job.timezone}]` : ''}${paused}`
      : '';
    const line = `${SYMBOL[job.action]} ${label(job).padEnd(width)}  ${reasons}${schedule}`;
    return paint(COLOR[job.action], line.trimEnd());
  });
  const notes = jobs.reduce((n, j) => n + j.notes.length, 0);
  if (notes > 0)
    lines.push(
      '',
      paint(
        33,
        `${notes} note${notes === 1 ? '' : 's'} left out (DST, boot timers…): run without --compact to see them.`,
      ),
    );
  if (jobs.length > 0) lines.push('');
  return lines;
}

function renderChange(
  change: PlannedArtifactChange,
  paint: (code: number, text: string) => string,
): string[] {
  const where = change.target === 'state' ? 'sched state' : change.target;
  const lines = [`    ${SYMBOL[change.action]} ${change.kind} ${change.id} [${where}] (${change.reason})`];
  const before = change.before?.content ?? '';
  const after = change.after?.content ?? '';
  if (before === after) return lines; // registration-only change: nothing to diff
  // A whole new or removed spec is sched's bookkeeping: the native artifacts say what matters.
  if (change.target === 'state' && change.action !== 'update') return lines;
  // Notification URLs may hold tokens: the spec diff shows them masked (with a digest, so a change still shows).
  const shown = (text: string) => (change.target === 'state' ? maskSpecText(text) : text);
  const patch = (patches ??= require('diff/lib/patch/create.js') as PatchModule).createTwoFilesPatch(
    change.before ? change.id : '/dev/null',
    change.after ? change.id : '/dev/null',
    shown(before),
    shown(after),
    undefined,
    undefined,
    { context: 3 },
  );
  for (const line of patch.split('\n').slice(1)) {
    if (line === '' || line.startsWith('=====')) continue;
    const code = line.startsWith('+') ? 32 : line.startsWith('-') ? 31 : line.startsWith('@@') ? 36 : 0;
    lines.push(paint(code, `      ${line}`));
  }
  return lines;
}

/** The line that says this plan takes the project over from another checkout. */
export function movedNotice(plan: Plan): string {
  const here = plan.destroy ? 'destroying it from here removes it' : 'applying here moves it';
  return `Note: project ${plan.project} is installed from ${plan.installedFrom}; ${here}.`;
}

function displayFile(file: string): string {
  const cwd = process.cwd();
  return file.startsWith(cwd + '/') ? file.slice(cwd.length + 1) : file;
}

export type { JobPlan };
