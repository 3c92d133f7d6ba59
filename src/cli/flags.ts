/** Flags shared by several commands, defined once so they read the same everywhere. */
import { Flags } from '@oclif/core';

export const fileFlag = Flags.string({
  char: 'f',
  description: 'path to schedules.yaml',
  default: 'schedules.yaml',
  helpValue: 'FILE',
});

export const scopeFlag = Flags.string({
  description: 'systemd scope: user timers (default) or system timers (as root)',
  options: ['user', 'system'],
  default: 'user',
});

export const targetFlag = Flags.string({
  description: 'limit to these jobs (repeatable)',
  multiple: true,
  helpValue: 'JOB',
});

export const autoApproveFlag = Flags.boolean({
  description: 'apply without asking for confirmation (needed when stdin is not a terminal)',
  default: false,
});

/** `--project`/`-p` of the commands that act on one job's recorded state (run, history, logs). */
export const projectFlag = Flags.string({
  char: 'p',
  description: 'project name (default: the project: of the schedules file)',
  helpValue: 'P',
});

/** `--file`/`-f` of those commands: read only to find the project name. */
export const projectFileFlag = Flags.string({
  char: 'f',
  description: 'schedules file used to find the project',
  helpValue: 'FILE',
});
