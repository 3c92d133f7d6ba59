/**
 * launchd agents for sched jobs: `~/Library/LaunchAgents/dev.sched.<project>.<job>.plist`.
 * Pure: the same job and context always give the same bytes.
 *
 * The plist is written in the layout Apple's and libplist's writers use (tab indentation, the
 * top-level dict at column 0), so a round trip through `plistutil` gives back the same text.
 * The ownership header is an XML comment after the declaration; its hash covers the text
 * without that comment line.
 */
import path from 'node:path';
import plist from 'plist';
import type { Job } from '../../model/job.js';
import { isValidJobName, isValidProjectName } from '../../model/job.js';
import { InexpressibleError, UserError } from '../../errors.js';
import { contentHash, formatOwnership } from '../header.js';
import { catchUpInvocation, runInvocation } from '../invocation.js';
import type { Artifact, RenderContext } from '../types.js';
import { parseCron } from '../../schedule/cron.js';
import { cronToLaunchd, type LaunchdCalendarDict } from '../../schedule/to-launchd.js';
import { logDir, projectStateDir } from '../../state/paths.js';

/** The job name used for the project-wide catch-up agent's label (not a valid job name: no clash). */
export const CATCH_UP_LABEL_SUFFIX = 'catch-up';

export function launchdLabel(project: string, job: string): string {
  return `dev.sched.${project}.${job}`;
}

export function plistFileName(project: string, job: string): string {
  return `${launchdLabel(project, job)}.plist`;
}

/** What a job becomes in launchd terms. */
export type LaunchdTrigger = { kind: 'calendar'; dicts: LaunchdCalendarDict[] } | { kind: 'load' };

/** The launchd trigger of a job, or the reason and hint why there is none. */
export function launchdTrigger(
  job: Job,
  hostTimezone: string,
): LaunchdTrigger | { reason: string; hint: string } {
  const s = job.schedule;
  if (s.kind === 'event') {
    // launchd has no wake event: RunAtLoad fires when the agent is loaded (login, bootstrap);
    // runs missed while asleep are caught up by the wrapper's catch-up agent.
    return { kind: 'load' };
  }
  if (s.kind === 'at') {
    return {
      reason: 'one-shot schedules (`at:`) have no launchd form (StartCalendarInterval has no year)',
      hint: 'use backend systemd or windows for one-shots, or run it by hand with `sched run-now`.',
    };
  }
  if (job.timezone !== hostTimezone) {
    return {
      reason: `its time zone ${job.timezone} differs from this Mac's zone ${hostTimezone}, and launchd knows only local time`,
      hint: `set \`timezone: ${hostTimezone}\` on the job (converting the times), or remove the timezone so the host's is used.`,
    };
  }
  const conv = cronToLaunchd(parseCron(s.expr));
  if (!conv.ok) return { reason: `schedule '${s.expr}': ${conv.reason}`, hint: conv.hint };
  return { kind: 'calendar', dicts: conv.dicts };
}

/** Problems that make the job inexpressible for launchd, as sentences (empty: render works). */
export function checkLaunchdJob(job: Job, ctx: RenderContext): string[] {
  const names = nameProblem(job.project, job.name);
  if (names) return [`job '${job.name}': ${names}`];
  const t = launchdTrigger(job, ctx.hostTimezone);
  if ('reason' in t)
    return [new InexpressibleError('launchd', job.name, t.reason, t.hint).message + `. Hint: ${t.hint}`];
  return [];
}

/** Apple's layout: tab indentation, the top-level object at column 0, a final newline. */
function buildPlist(obj: plist.PlistObject): string {
  const text = plist.build(obj, { pretty: true, indent: '\t', newline: '\n' });
  // Markup lines inside <plist> lose one tab. String continuation lines cannot start with
  // `\t<` (a `<` in a string is always escaped), so their content is untouched.
  return text.replace(/^\t(?=\t*<)/gm, '') + '\n';
}

/** Inserts the ownership comment after the XML declaration. */
export function withOwnershipComment(
  body: string,
  project: string,
  job: string,
): { content: string; hash: string } {
  const hash = contentHash(body);
  const nl = body.indexOf('\n');
  const comment = `<!-- ${formatOwnership({ project, job, hash })} -->`;
  return { content: body.slice(0, nl + 1) + comment + '\n' + body.slice(nl + 1), hash };
}

/** The text without sched's ownership comment line (what the hash covers). */
export function stripOwnershipComment(text: string): string {
  return text.replace(/^<!-- sched-managed [^\n]*-->\n/m, '');
}

/**
 * The ownership header is an XML comment, and XML forbids `--` inside a comment, so a project
 * or job name with `--` has no launchd form.
 */
function nameProblem(project: string, job?: string): string | undefined {
  if (!isValidProjectName(project)) return `invalid project name '${project}'`;
  if (job !== undefined && !isValidJobName(job)) return `invalid job name '${job}'`;
  if (project.includes('--') || job?.includes('--')) {
    return `the name '${project}.${job ?? ''}' contains '--', which cannot appear in the plist's XML ownership comment. Hint: use single hyphens.`;
  }
  return undefined;
}

function assertNames(project: string, job?: string): void {
  const p = nameProblem(project, job);
  if (p) throw new UserError(p);
}

/** The plist dictionary of a job, keys in alphabetical order (as Apple's tools write them). */
export function launchdPlistObject(job: Job, ctx: RenderContext, trigger: LaunchdTrigger): plist.PlistObject {
  const logs = logDir(ctx.stateDir, job.project, job.name);
  const obj: Record<string, plist.PlistValue> = {
    Label: launchdLabel(job.project, job.name),
    ProgramArguments: runInvocation(ctx, 'launchd', job.project, job.name),
  };
  if (trigger.kind === 'load') obj.RunAtLoad = true;
  obj.StandardErrorPath = path.join(logs, 'launchd.err.log');
  obj.StandardOutPath = path.join(logs, 'launchd.out.log');
  if (trigger.kind === 'calendar') obj.StartCalendarInterval = trigger.dicts as unknown as plist.PlistValue[];
  return obj;
}

/** Renders one job's agent. Throws InexpressibleError when the schedule has no exact launchd form. */
export function renderLaunchdJob(job: Job, ctx: RenderContext): Artifact {
  assertNames(job.project, job.name);
  const t = launchdTrigger(job, ctx.hostTimezone);
  if ('reason' in t) throw new InexpressibleError('launchd', job.name, t.reason, t.hint);
  const body = buildPlist(launchdPlistObject(job, ctx, t));
  const { content, hash } = withOwnershipComment(body, job.project, job.name);
  return { id: plistFileName(job.project, job.name), job: job.name, kind: 'plist', content, hash };
}

/**
 * The project-wide catch-up agent: runs `sched run --catch-up` at load (login/bootstrap), which
 * runs each `catch_up: true` job once when it missed a run while the Mac was off or asleep.
 */
export function renderLaunchdCatchUp(project: string, ctx: RenderContext): Artifact {
  assertNames(project);
  const logs = projectStateDir(ctx.stateDir, project);
  const obj: plist.PlistObject = {
    Label: launchdLabel(project, CATCH_UP_LABEL_SUFFIX),
    ProgramArguments: catchUpInvocation(ctx, 'launchd', project),
    RunAtLoad: true,
    StandardErrorPath: path.join(logs, 'catch-up.err.log'),
    StandardOutPath: path.join(logs, 'catch-up.out.log'),
  };
  const body = buildPlist(obj);
  const { content, hash } = withOwnershipComment(body, project, '');
  return { id: plistFileName(project, CATCH_UP_LABEL_SUFFIX), job: '', kind: 'plist', content, hash };
}
