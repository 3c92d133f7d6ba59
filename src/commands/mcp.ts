import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';

export default class Mcp extends BaseCommand {
  static override summary = 'Serve the schedules to an AI assistant (Model Context Protocol, over stdio)';

  static override description = `Starts a Model Context Protocol server on stdin/stdout for an MCP client (an assistant, an IDE). Read-only by default: tools list_jobs, get_job, history, next_runs, explain_schedule and plan, and a log-tail resource per job. --allow-run-now adds run_now; --allow-edit adds pause and resume, which edit schedules.yaml and return the plan — nothing is ever applied through this server.`;

  static override examples = [
    '<%= config.bin %> mcp',
    '<%= config.bin %> mcp -f ~/jobs/schedules.yaml --allow-run-now',
  ];

  static override flags = {
    file: Flags.string({ char: 'f', description: 'schedules file', default: 'schedules.yaml' }),
    'allow-run-now': Flags.boolean({ description: 'add the run_now tool (starts a job now)' }),
    'allow-edit': Flags.boolean({
      description: 'add the pause and resume tools (edit schedules.yaml; never apply)',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Mcp);
    // The SDK loads only here: `sched run` and every other command start without it.
    const { serveStdio } = await import('../mcp/server.js');
    await serveStdio({
      file: flags.file,
      allowRunNow: flags['allow-run-now'],
      allowEdit: flags['allow-edit'],
      version: this.config.version,
    });
  }
}
