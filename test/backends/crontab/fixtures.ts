/** Shared test fixtures for the crontab backend: jobs, a render context, a fake `crontab`. */
import type { Job } from '../../../src/model/job.js';
import type { RunOptions, RunResult, Runner } from '../../../src/platform/ports.js';
import type { RenderContext } from '../../../src/backends/types.js';
import { testJob } from '../../fakes/job.js';

export const ctx: RenderContext = {
  nodePath: '/usr/bin/node',
  schedBin: '/opt/sched/bin/run.js',
  stateDir: '/home/ann/.local/state/sched',
  hostTimezone: 'Europe/Istanbul',
  homeDir: '/home/ann',
};

export function job(name: string, over: Partial<Job> = {}): Job {
  return testJob({ name, command: { argv: ['echo', 'hi'] }, timezone: 'Europe/Istanbul', ...over });
}

/**
 * A fake `crontab` (and the `sh -c` probes of detect/warnings) keeping one crontab in memory,
 * with the real command's observable behaviour: `-l` prints it or says "no crontab for U" with
 * exit 1, `-` installs stdin, `-r` removes it.
 */
export class FakeCrontab implements Runner {
  text: string | undefined;
  calls: string[][] = [];
  /** The environment the last `crontab -l` was given. */
  listEnv: Record<string, string> | undefined;
  daemon = true;
  hasCrontab = true;
  /** Runs before answering the n-th `crontab -l` (1-based): simulates a concurrent edit. */
  onList?: (n: number) => void;
  private lists = 0;

  constructor(initial?: string) {
    this.text = initial;
  }

  get writes(): number {
    return this.calls.filter((c) => c[0] === 'crontab' && (c.includes('-') || c.includes('-r'))).length;
  }

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push([command, ...args]);
    if (command === 'sh') {
      const script = args[1] ?? '';
      if (script.startsWith('command -v crontab')) {
        return this.hasCrontab
          ? { exitCode: 0, stdout: '/usr/bin/crontab\n', stderr: '' }
          : { exitCode: 1, stdout: '', stderr: '' };
      }
      if (script.includes('pgrep')) return { exitCode: this.daemon ? 0 : 1, stdout: '', stderr: '' };
      throw new Error(`unexpected sh ${script}`);
    }
    if (command !== 'crontab') throw new Error(`unexpected command ${command}`);
    const rest = args[0] === '-u' ? args.slice(2) : [...args];
    const user = args[0] === '-u' ? args[1] : 'me';
    if (rest[0] === '-l') {
      this.lists += 1;
      this.listEnv = options.env;
      this.onList?.(this.lists);
      if (this.text === undefined) return { exitCode: 1, stdout: '', stderr: `no crontab for ${user}\n` };
      return { exitCode: 0, stdout: this.text, stderr: '' };
    }
    if (rest[0] === '-') {
      this.text = options.input ?? '';
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    if (rest[0] === '-r') {
      if (this.text === undefined) return { exitCode: 1, stdout: '', stderr: `no crontab for ${user}\n` };
      this.text = undefined;
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    throw new Error(`unexpected crontab ${args.join(' ')}`);
  }
}
