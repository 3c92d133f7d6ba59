/**
 * Pauses a `sched apply` (or destroy) at its confirmation prompt: runs the compiled CLI on a
 * pseudo-terminal (script(1), util-linux), so it asks as it would a person, and lets a test
 * answer when it chooses — `yes`, anything else, Ctrl-C or Ctrl-D — while other commands run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { SCHED_BIN } from '../../e2e/helpers/cli.js';

/** Why a prompt session cannot run here, or undefined. */
export function promptSkipReason(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0
    ? undefined
    : "'script' (util-linux, Debian package bsdutils) is not installed";
}

export interface PromptSession {
  /** Everything the terminal showed so far (stdout and stderr, as a terminal mixes them). */
  output(): string;
  /** Resolves once the prompt is shown (throws after `ms`). */
  atPrompt(ms?: number): Promise<void>;
  /** Types a line (a terminal's Enter is a carriage return). */
  answer(text: string): void;
  /** Ctrl-C through the terminal's line discipline. */
  ctrlC(): void;
  /** Ctrl-D: end of input. */
  ctrlD(): void;
  /** The exit code (resolves when sched has ended). */
  exit(ms?: number): Promise<number | null>;
  /** Kills it if it still runs. */
  kill(): void;
  readonly child: ChildProcess;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function until<T>(what: string, ms: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts `sched ARGS…` on a terminal with `env` (the whole environment) in `cwd`, as `user`
 * (uid/gid) when given.
 */
export function startPromptSession(opts: {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  user?: { uid: number; gid: number };
}): PromptSession {
  // exec: script(1) runs the command through $SHELL -c; sched must be the terminal's process,
  // not a shell waiting for it (a shell would take the terminal's SIGINT itself).
  const cmd = `exec ${[process.execPath, SCHED_BIN, ...opts.args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    cwd: opts.cwd,
    env: { SHELL: '/bin/sh', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  let code: number | null | undefined;
  child.on('exit', (c) => (code = c));
  return {
    child,
    output: () => out,
    atPrompt: async (ms = 30_000) => {
      await until(
        `the prompt\n${out}`,
        ms,
        () => /Only 'yes' will be accepted/.test(out) || code !== undefined,
      );
      if (code !== undefined) throw new Error(`sched ended (exit ${code}) before asking:\n${out}`);
    },
    answer: (text) => child.stdin!.write(`${text}\r`),
    ctrlC: () => child.stdin!.write('\x03'),
    ctrlD: () => child.stdin!.write('\x04'),
    exit: async (ms = 30_000) => {
      await until(`sched to exit\n${out}`, ms, () => code !== undefined);
      return code!;
    },
    kill: () => {
      if (code === undefined) child.kill('SIGKILL');
    },
  };
}
