import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag, scopeFlag } from '../cli/flags.js';
import { UserError } from '../errors.js';

export default class Ui extends BaseCommand {
  static override summary = 'Serve a local dashboard: jobs, timeline, history and logs; run and pause jobs';
  static override description = `Serves a web page for the project of schedules.yaml (with --all, every project sched installed for this user): status of each job, the timeline of the next 24 h / 7 days, run history, logs with live follow, the native artifacts and their drift. Run now, Pause and Resume act as the CLI does: pause and resume edit schedules.yaml (comments kept) and show the plan, which is applied only when you confirm it in the page.

Bound to 127.0.0.1 by default; the printed URL carries a random token that every request needs. Ctrl-C stops it.`;

  static override examples = [
    '<%= config.bin %> ui',
    '<%= config.bin %> ui --open',
    '<%= config.bin %> ui --all --read-only --port 8080',
  ];

  static override flags = {
    file: fileFlag,
    port: Flags.integer({ description: 'port to listen on (0: a free one)', default: 0, min: 0, max: 65535 }),
    host: Flags.string({ description: 'address to bind (keep it on loopback)', default: '127.0.0.1' }),
    all: Flags.boolean({ description: 'every project sched installed for this user', default: false }),
    open: Flags.boolean({ description: 'open the page in the browser', default: false }),
    'read-only': Flags.boolean({ description: 'refuse every action (for shared screens)', default: false }),
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ui);
    const { defaultHost } = await import('../services/host.js');
    const { resolveProjects } = await import('../ui/data.js');
    const { startUiServer } = await import('../ui/server.js');
    if (['0.0.0.0', '::', '[::]'].includes(flags.host))
      throw new UserError(
        `--host ${flags.host} listens on every address, and the page checks the Host header against the address it is bound to`,
        'Give the one address to serve on (e.g. --host 192.168.1.5), or keep the default 127.0.0.1.',
      );
    const scope = flags.scope as 'user' | 'system';
    const projects = await resolveProjects(flags.file, flags.all, defaultHost({ systemdScope: scope }));
    const ui = await startUiServer({
      projects,
      host: flags.host,
      port: flags.port,
      readOnly: flags['read-only'],
      hostSettings: () => defaultHost({ systemdScope: scope, now: new Date() }),
    });
    const loopback = ['127.0.0.1', '::1', 'localhost'].includes(flags.host);
    if (!loopback)
      process.stderr.write(
        `Warning: listening on ${flags.host}: anyone who can reach it and has the URL can ${flags['read-only'] ? 'read' : 'run and pause'} your jobs.\n`,
      );
    process.stdout.write(
      `sched ui: ${projects.map((p) => p.name).join(', ')}${flags['read-only'] ? ' (read-only)' : ''}\n` +
        `Open ${ui.url}\nPress Ctrl-C to stop.\n`,
    );
    if (flags.open) openBrowser(ui.url);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void ui.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stdout.write('sched ui stopped.\n');
  }
}

/** Opens `url` with the desktop's opener; the URL is printed anyway, so a failure only warns. */
function openBrowser(url: string): void {
  void import('node:child_process').then(({ spawn }) => {
    const [cmd, args] =
      process.platform === 'darwin'
        ? ['open', [url]]
        : process.platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', url]]
          : ['xdg-open', [url]];
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => process.stderr.write(`Could not start ${cmd}: open the URL above by hand.\n`));
    child.unref();
  });
}
