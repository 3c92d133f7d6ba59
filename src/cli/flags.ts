/** Flags shared by several commands, defined once so they read the same everywhere. */
import { Flags } from '@oclif/core';
import { RUN_SPEC } from '../backends/invocation.js';
import { lockTimeoutMs } from './apply-command.js';
import {
  AUTO_APPROVE_FLAG,
  COMPACT_FLAG,
  FILE_FLAG,
  FORCE_MOVE_FLAG,
  LOCK_TIMEOUT_FLAG,
  NO_PAGER_FLAG,
  SCOPE_FLAG,
  TARGET_FLAG,
} from './common-flags.js';
import { oclifFlag } from './oclif-spec.js';

export const fileFlag = oclifFlag(FILE_FLAG);

export const scopeFlag = oclifFlag(SCOPE_FLAG);

export const targetFlag = oclifFlag(TARGET_FLAG);

export const autoApproveFlag = oclifFlag(AUTO_APPROVE_FLAG);

/** `--project`/`-p` of the commands that act on one job's recorded state (run, history, logs). */
export const projectFlag = oclifFlag(RUN_SPEC.flags.project);

/** `--file`/`-f` of those commands: read only to find the project name. */
export const projectFileFlag = oclifFlag(RUN_SPEC.flags.file);

/**
 * `--lock-timeout` of the commands that change the host: how long to wait for another sched
 * process holding the apply lock. 0 (the default, as Terraform's) refuses at once, naming it.
 * Returns milliseconds.
 */
export const lockTimeoutFlag = Flags.custom<number>({
  description: LOCK_TIMEOUT_FLAG.description,
  helpValue: LOCK_TIMEOUT_FLAG.helpValue,
  default: 0,
  parse: async (text) => {
    const ms = await lockTimeoutMs(text);
    if (ms === undefined) {
      throw new Error(`--lock-timeout expects a duration such as 0s, 30s, 5m or 1h (got '${text}')`);
    }
    return ms;
  },
})();

/** `--force` of apply/destroy: take over a project installed from another checkout without asking. */
export const forceMoveFlag = oclifFlag(FORCE_MOVE_FLAG);

/** `--project` of status/destroy: an installed project, read from sched's state instead of a file. */
export const installedProjectFlag = Flags.string({
  char: 'p',
  description: 'an installed project (see `sched list`), read from what was applied instead of a file',
  helpValue: 'NAME',
});

/** `--no-pager` of the commands that page long text on a terminal (plan, logs). */
export const noPagerFlag = oclifFlag(NO_PAGER_FLAG);

/** `--compact` of plan, apply and destroy: one line per job and the summary, no diffs. */
export const compactFlag = oclifFlag(COMPACT_FLAG);
