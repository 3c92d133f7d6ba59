/**
 * A project applied from another checkout is not taken over by accident: a plan that moves it
 * (plan.installedFrom is set) is executed only when the caller says the move was approved — by
 * `--force`, or by a person who answered the prompt below a plan that showed the move.
 */
import { UserError } from '../errors.js';
import type { Plan } from '../plan/types.js';

/** Throws UserError when `plan` moves its project from another checkout and that was not approved. */
export function refuseUnapprovedMove(plan: Plan, approved: boolean): void {
  if (!plan.installedFrom || approved) return;
  const verb = plan.destroy
    ? `destroying it from ${plan.file} removes it`
    : `applying ${plan.file} here moves it`;
  throw new UserError(
    `project ${plan.project} is installed from ${plan.installedFrom}; ${verb}`,
    `Review it with \`sched ${plan.destroy ? 'destroy' : 'apply'}\` in a terminal (it asks), or add --force to ` +
      `\`sched ${plan.destroy ? 'destroy' : 'apply'}\`; or run sched from the checkout it is installed from. ` +
      '`sched list` shows where each project is installed from.',
  );
}
