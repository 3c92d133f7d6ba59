/** Shared test fixtures for the crontab backend: jobs, a render context, a fake `crontab`. */
import { readFileSync } from 'node:fs';
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
 * A fake `crontab` (and the `sh -c` probes of detect/warnings) keeping one crontab in memory as
 * bytes, with the real (Debian) command's observable behaviour: `-l` prints it with CR and BS
 * escaped as `\r` and `\b`, or says "no crontab for U" with exit 1; `-e` runs `cat` as the
 * editor when VISUAL/EDITOR say so (the bytes unescaped); `FILE` and `-` install a file or stdin,
 * refusing an entry without newline at the end; `-r` removes it.
 */
export class FakeCrontab implements Runner {
  bytes: Buffer | undefined;
  calls: string[][] = [];
  /** The environment the last `crontab -l` was given. */
  listEnv: Record<string, string> | undefined;
  daemon = true;
  hasCrontab = true;
  /** Runs before answering the n-th `crontab -l` (1-based): simulates a concurrent edit. */
  onList?: (n: number) => void;
  private lists = 0;

  constructor(initial?: string | Buffer) {
    this.text = initial;
  }

  /** The crontab as UTF-8 text; undefined when there is none. */
  get text(): string | undefined {
    return this.bytes?.toString('utf8');
  }

  set text(value: string | Buffer | undefined) {
    this.bytes = value === undefined ? undefined : Buffer.from(value);
  }

  get writes(): number {
    return this.calls.filter((c) => c[0] === 'crontab' && !c.includes('-l') && !c.includes('-e')).length;
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
    const encoding = options.encoding ?? 'utf8';
    const out = (b: Buffer): string => b.toString(encoding);
    const rest = args[0] === '-u' ? args.slice(2) : [...args];
    const user = args[0] === '-u' ? args[1] : 'me';
    const ok = (stdout = ''): RunResult => ({ exitCode: 0, stdout, stderr: '' });
    if (rest[0] === '-l') {
      this.lists += 1;
      this.listEnv = options.env;
      this.onList?.(this.lists);
      if (this.bytes === undefined) return { exitCode: 1, stdout: '', stderr: `no crontab for ${user}\n` };
      const listed = this.bytes
        .toString('latin1')
        // eslint-disable-next-line no-control-regex -- what Debian's crontab -l escapes
        .replace(/[\x08\x0d]/g, (c) => (c === '\r' ? '\\r' : '\\b'));
      return ok(out(Buffer.from(listed, 'latin1')));
    }
    if (rest[0] === '-e') {
      if (options.env?.VISUAL !== 'cat' || options.env.EDITOR !== 'cat')
        throw new Error('this fake only edits with cat');
      if (this.bytes === undefined)
        return { exitCode: 0, stdout: '', stderr: `no crontab for ${user} - using an empty one\n` };
      return { exitCode: 0, stdout: out(this.bytes), stderr: 'No modification made\n' };
    }
    if (rest[0] === '-r') {
      if (this.bytes === undefined) return { exitCode: 1, stdout: '', stderr: `no crontab for ${user}\n` };
      this.bytes = undefined;
      return ok();
    }
    const file = rest[0] === '-' ? Buffer.from(options.input ?? '', encoding) : readFileSync(rest[0]!);
    const lastLine = file.toString('latin1').split('\n').at(-1)!;
    if (!/^[ \t]*(#.*)?$/s.test(lastLine))
      return {
        exitCode: 1,
        stdout: '',
        stderr: "new crontab file is missing newline before EOF, can't install.\n",
      };
    this.bytes = file;
    return ok();
  }
}
