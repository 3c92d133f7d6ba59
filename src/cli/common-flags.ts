/**
 * Flags several commands share, as plain specs (src/model/flag-spec.ts): the fast parser of
 * `sched plan` reads them without oclif, and src/cli/flags.ts makes the oclif flags of every other
 * command from the same entries, so they read the same everywhere.
 */
import type { FlagSpec } from '../model/flag-spec.js';

export const FILE_FLAG = {
  kind: 'string',
  char: 'f',
  description: 'path to schedules.yaml',
  default: 'schedules.yaml',
  helpValue: 'FILE',
} as const satisfies FlagSpec;

export const SCOPE_FLAG = {
  kind: 'string',
  description: 'systemd scope: user timers (default) or system timers (as root)',
  options: ['user', 'system'],
  default: 'user',
} as const satisfies FlagSpec;

export const TARGET_FLAG = {
  kind: 'string',
  description: 'limit to these jobs (repeatable)',
  multiple: true,
  helpValue: 'JOB',
} as const satisfies FlagSpec;

/** `--no-pager` of the commands that page long text on a terminal (plan, logs). */
export const NO_PAGER_FLAG = {
  kind: 'boolean',
  description:
    'print directly even when the output is longer than the terminal (PAGER/SCHED_PAGER pick the pager)',
  default: false,
} as const satisfies FlagSpec;

/** `--compact` of plan, apply and destroy: one line per job and the summary, no diffs. */
export const COMPACT_FLAG = {
  kind: 'boolean',
  description:
    'show the plan as one line per job and the summary, without diffs (for plans of hundreds of jobs)',
  default: false,
} as const satisfies FlagSpec;

/** `--lock-timeout` of the commands that change the host (apply, destroy). */
export const LOCK_TIMEOUT_FLAG = {
  kind: 'string',
  description:
    'how long to wait for another apply of this project (or of the same crontab/unit directory) to finish, e.g. 30s or 5m (default 0s: refuse at once)',
  helpValue: 'DURATION',
} as const satisfies FlagSpec;

/** `--force` of apply/destroy: take over a project installed from another checkout without asking. */
export const FORCE_MOVE_FLAG = {
  kind: 'boolean',
  description:
    'apply even when the project is installed from another schedules.yaml (moves it here); needed with --auto-approve',
  default: false,
} as const satisfies FlagSpec;

/** `--auto-approve` of the commands that change the host. */
export const AUTO_APPROVE_FLAG = {
  kind: 'boolean',
  description: 'apply without asking for confirmation (needed when stdin is not a terminal)',
  default: false,
} as const satisfies FlagSpec;
