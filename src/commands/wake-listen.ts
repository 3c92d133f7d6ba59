import { Args, Flags } from '@oclif/core';
import path from 'node:path';
import { BaseCommand } from './base.js';

export default class WakeListen extends BaseCommand {
  static override hidden = true;
  static override strict = false;
  static override summary = 'Run the wake jobs of a project when the machine resumes (systemd unit entry).';
  static override description = `The process behind \`sched-<project>--wake.service\`, which \`sched apply\` installs on systemd when a project has \`schedule: wake\` jobs. It listens to logind's PrepareForSleep signal on the system bus and, on each resume, starts each listed job's service. Not meant to be run by hand.`;
  static override examples = [
    '<%= config.bin %> wake-listen --project billing -- resync  # what the unit runs: ExecStart=',
  ];
  static override args = { jobs: Args.string({ description: 'wake jobs of the project' }) };
  static override flags = {
    project: Flags.string({ summary: 'The project.', required: true }),
    system: Flags.boolean({ summary: 'The units are system units (plain systemctl).', default: false }),
    'state-dir': Flags.string({ summary: 'The state directory (default: $SCHED_HOME or the platform one).' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(WakeListen);
    const { stateRoot } = await import('../state/paths.js');
    const { createWakeListener } = await import('../services/wake-listen.js');
    const listener = createWakeListener({
      project: flags.project,
      jobs: argv as string[],
      scope: flags.system ? 'system' : 'user',
      stateRoot: flags['state-dir'] ? path.resolve(flags['state-dir']) : stateRoot(),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const stop = () => listener.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const code = await listener.run();
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
    if (code !== 0) this.exit(code);
  }
}
