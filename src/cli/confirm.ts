/** Asking before changing the host, Terraform-style: only "yes" proceeds. */
import { UserError } from '../errors.js';

/** How the question ended: `yes`; another answer; Ctrl-C; end of input (Ctrl-D). */
export type Answer = 'yes' | 'no' | 'interrupted' | 'eof';

/**
 * Asks `question` on the terminal. Never throws for Ctrl-C or Ctrl-D: they are answers the
 * caller turns into "cancelled" (exit 130 and 1). Throws a UserError when stdin is not a
 * terminal and `autoApprove` is not set.
 */
export async function ask(question: string, autoApprove: boolean): Promise<Answer> {
  if (autoApprove) return 'yes';
  if (!process.stdin.isTTY) {
    throw new UserError(
      'refusing to change the host without confirmation: standard input is not a terminal',
      'Review the plan above, then run again with --auto-approve (or apply a saved plan: sched plan --out plan.json && sched apply plan.json).',
    );
  }
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise<Answer>((resolve) => {
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      process.removeListener('SIGINT', onSignal);
      rl.close();
      resolve(answer);
    };
    // Ctrl-C on the terminal reaches readline as a key (raw mode); a SIGINT sent from elsewhere
    // reaches the process. Either way: cancelled, and the caller releases its locks.
    const onSignal = () => finish('interrupted');
    process.once('SIGINT', onSignal);
    rl.on('SIGINT', onSignal);
    rl.on('close', () => finish('eof'));
    rl.question(`${question}\n  Only 'yes' will be accepted: `, (answer) =>
      finish(answer.trim() === 'yes' ? 'yes' : 'no'),
    );
  });
}

/**
 * What a command prints and exits with when the answer was not yes: one line on stderr; 130
 * for Ctrl-C (as a shell reports an interrupted command), 1 otherwise (as Terraform does).
 */
export function cancellation(
  answer: Exclude<Answer, 'yes'>,
  what: 'Apply' | 'Destroy',
): { line: string; exitCode: number; stream: 'stdout' | 'stderr' } {
  switch (answer) {
    case 'interrupted':
      return {
        line: `\n${what} cancelled (interrupted): nothing was changed.`,
        exitCode: 130,
        stream: 'stderr',
      };
    case 'eof':
      return {
        line: `\n${what} cancelled (no answer: end of input): nothing was changed.`,
        exitCode: 1,
        stream: 'stderr',
      };
    case 'no':
      return { line: `${what} cancelled.`, exitCode: 1, stream: 'stdout' };
  }
}

/** Prints a cancellation's line where it belongs; returns its exit code. */
export function printCancellation(c: ReturnType<typeof cancellation>): number {
  (c.stream === 'stdout' ? process.stdout : process.stderr).write(c.line + '\n');
  return c.exitCode;
}

/**
 * {@link ask} for commands with no lock to keep: true for yes, false for another answer; Ctrl-C
 * and end of input end the command (exit 130 and 1) with one line, never a stack trace.
 */
export async function confirmOrRefuse(question: string, autoApprove: boolean): Promise<boolean> {
  const answer = await ask(question, autoApprove);
  if (answer === 'yes') return true;
  if (answer === 'no') return false;
  const { line, exitCode } = cancellation(answer, 'Apply');
  throw new UserError(line.trim(), undefined, exitCode);
}
