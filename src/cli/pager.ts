/**
 * Long text through a pager, as git does: only when stdout is a terminal and the text is longer
 * than the screen; `$SCHED_PAGER`, then `$PAGER`, else `less` with `LESS=FRX` (quit when it fits
 * one screen, keep colours, leave the text on the screen) unless `$LESS` says otherwise. An
 * empty pager or `cat` means none. Never when piped, never with `--no-pager`.
 */
import { spawn } from 'node:child_process';

export interface PagerTarget {
  isTTY?: boolean;
  /** Terminal rows; text that fits is printed directly. */
  rows?: number;
  write(text: string): unknown;
}

export interface PagerOptions {
  /** `--no-pager`. */
  disabled?: boolean;
  env?: NodeJS.ProcessEnv;
  out?: PagerTarget;
}

/** The shell command of the pager to use for `text`, or undefined to print it directly. */
export function pagerCommand(text: string, options: PagerOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const out = options.out ?? process.stdout;
  if (options.disabled || !out.isTTY) return undefined;
  const rows = out.rows && out.rows > 0 ? out.rows : 24;
  if (text.split('\n').length - 1 < rows) return undefined; // fits: no pager to start and quit
  const command = env.SCHED_PAGER ?? env.PAGER ?? 'less';
  return command.trim() === '' || command.trim() === 'cat' ? undefined : command;
}

/**
 * Writes `text` to stdout, through a pager when {@link pagerCommand} picks one. A pager that
 * cannot start is not an error: the text is printed directly. Ctrl-C belongs to the pager while
 * it runs (sched waits for it, as git does).
 */
export async function writePaged(text: string, options: PagerOptions = {}): Promise<void> {
  const out = options.out ?? process.stdout;
  const command = pagerCommand(text, options);
  if (command === undefined) {
    out.write(text);
    return;
  }
  const env = { ...(options.env ?? process.env) };
  env.LESS ??= 'FRX';
  env.LV ??= '-c';
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    const started = await new Promise<boolean>((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'inherit', 'inherit'], env });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        // The reader may quit before reading everything: that is not an error.
        child.stdin.on('error', ignore);
        child.stdin.end(text);
      });
      child.once('close', (code) => resolve(code !== 127));
    });
    if (!started) out.write(text);
  } finally {
    process.off('SIGINT', ignore);
  }
}
