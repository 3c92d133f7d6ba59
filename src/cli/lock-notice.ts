/** The line a command prints once when it starts waiting for another sched process's lock. */
import { describeHolder, type LockHolder } from '../apply/lock.js';

export function lockWaitNotice(): (holder: Partial<LockHolder>, what: string, timeoutMs: number) => void {
  return (holder, what, timeoutMs) =>
    process.stderr.write(
      `Waiting up to ${Math.round(timeoutMs / 1000)} s for ${what}, held by ${describeHolder(holder)}…\n`,
    );
}
