import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag, scopeFlag } from '../cli/flags.js';

export default class Watch extends BaseCommand {
  static override summary = 'Re-plan (and with --apply, apply) every time schedules.yaml is saved';
  static override description = `Watches schedules.yaml and the env files it names. Runs one cycle at start, then one per save (debounced, so an editor's write-then-rename is one save) and prints a status line per cycle; with changes, the plan is printed above it.

A file that is missing, empty, half-written or invalid changes nothing: its problems are printed and the installed jobs stay as they are. With --apply, adds and changes are applied, but deletions are held back (a file saved half-way looks exactly like one whose last jobs were removed): confirm them with \`sched apply\`, by typing yes and Enter (on a terminal), or let watch delete with --allow-delete. Even then, a plan that deletes more than --max-delete jobs (default: half of the project's applied jobs, at least 1) is held back whole.

Each apply runs under the project's apply lock and re-checks its plan before changing anything, so a manual \`sched apply\` beside the watch is never undone: while one holds the lock, the watch waits and tries again.

Ctrl-C (or SIGTERM) stops watching; a running apply is finished first.

--json prints one JSON object per line instead of text: \`watching\` at start, one \`cycle\` per cycle (its status, the plan, the file's problems or the error), \`stopped\` at the end.`;

  static override examples = [
    '<%= config.bin %> watch',
    '<%= config.bin %> watch --apply',
    '<%= config.bin %> watch --apply --max-delete 1 -f deploy/schedules.yaml',
    '<%= config.bin %> watch --json | jq -c \'select(.event == "cycle") | {status, line}\'',
  ];

  static override flags = {
    file: fileFlag,
    apply: Flags.boolean({
      description: 'apply each valid plan without asking (deletions only with --allow-delete)',
      default: false,
    }),
    'allow-delete': Flags.boolean({
      description: 'with --apply, let watch delete jobs removed from the file (within --max-delete)',
      default: false,
    }),
    'max-delete': Flags.integer({
      description:
        'with --allow-delete, hold back plans deleting more jobs than this (default: half the applied jobs, at least 1)',
      min: 0,
      helpValue: 'N',
    }),
    debounce: Flags.integer({
      description: 'quiet time after a save before re-planning, in ms',
      default: 300,
      min: 0,
      helpValue: 'MS',
    }),
    scope: scopeFlag,
    json: Flags.boolean({
      description: 'print events as JSON lines: one when watching starts, one per cycle (see docs/json.md)',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Watch);
    const { WatchSession, defaultWatchDeps, statusLine } = await import('../services/watch.js');
    const { defaultHost } = await import('../services/host.js');
    const { invokedCommandLine } = await import('../cli/command-line.js');
    const { renderPlanText } = await import('../plan/view-text.js');
    const { useColor } = await import('../cli/color.js');
    const { formatText } = await import('../config/diagnostic.js');
    const host = defaultHost({
      systemdScope: flags.scope as 'user' | 'system',
      commandLine: invokedCommandLine(),
    });
    const color = useColor(process.stdout);
    const out = (s: string) => process.stdout.write(s);
    const tty = Boolean(process.stdin.isTTY);
    const views = flags.json ? await import('../cli/json-views.js') : undefined;

    const session = new WatchSession(
      {
        file: flags.file,
        apply: flags.apply,
        allowDelete: flags['allow-delete'],
        maxDelete: flags['max-delete'],
        debounceMs: flags.debounce,
      },
      await defaultWatchDeps(host),
      (event) => {
        if (views) {
          if (event.type === 'watching') views.writeJsonLine(views.watchStartJson(event.paths, flags.apply));
          else if (event.type === 'cycle')
            views.writeJsonLine(views.watchCycleJson(event.result, statusLine(event.result, flags.apply)));
          return;
        }
        if (event.type === 'watching') {
          out(
            `Watching ${event.paths.join(', ')}${flags.apply ? ' (applying changes)' : ''}. Press Ctrl-C to stop.\n`,
          );
        } else if (event.type === 'cycle') {
          const r = event.result;
          if (r.status === 'invalid' && r.diagnostics) {
            const file = r.diagnostics[0]?.file;
            process.stderr.write(
              formatText(r.diagnostics, file && r.source !== undefined ? { [file]: r.source } : {}),
            );
          }
          if (r.plan && r.status !== 'unchanged') out(renderPlanText(r.plan, { color }));
          // One write per cycle, so a reader never sees the status line without its hint.
          let text = statusLine(r, flags.apply) + '\n';
          const hint = (r.error as { hint?: string } | undefined)?.hint;
          if (r.status === 'failed' && hint) text += `  Hint: ${hint}\n`;
          if (r.status === 'held' && r.heldJobs) {
            text += `  Not deleted: ${r.heldJobs.join(', ')}. To delete, run \`sched apply\`${tty ? ", type 'yes' and Enter here" : ''}, or restart with \`sched watch --apply --allow-delete\`; if the file was saved half-way, save it again.\n`;
          } else if (r.status === 'held') {
            text += `  Nothing was applied. Save the file again to re-plan${tty ? ", or type 'yes' and Enter to apply this plan" : ''}.\n`;
          }
          out(text);
        }
      },
    );

    let stopping = false;
    let stopped!: () => void;
    const done = new Promise<void>((resolve) => (stopped = resolve));
    const stop = () => {
      if (stopping) return;
      stopping = true;
      if (!views) out('\nStopping…\n');
      // A hung backend must not keep Ctrl-C from working: give the running cycle a moment, then go.
      setTimeout(() => process.exit(0), 1500).unref();
      void session.close().then(stopped, stopped);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);

    let rl: import('node:readline').Interface | undefined;
    if (tty) {
      const { createInterface } = await import('node:readline');
      rl = createInterface({ input: process.stdin });
      rl.on('line', (line) => {
        if (line.trim() !== 'yes') return;
        if (!session.confirm())
          (views ? process.stderr : process.stdout).write('Nothing is waiting for a confirmation.\n');
      });
      // readline takes over Ctrl-C on a terminal: pass it on.
      rl.on('SIGINT', stop);
    }

    await session.start();
    await done;
    rl?.close();
    if (views) views.writeJsonLine(views.watchStoppedJson());
    else out('Stopped watching.\n');
  }
}
