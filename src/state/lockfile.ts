/**
 * The core shared by the locks that record their holder as JSON and are taken over when the
 * holder died: the apply lock (`apply/lock.ts`) and the daemon lock (`daemon/lock.ts`). Each keeps
 * its own policy — whose death counts (same host only, or our own pid too), how often to retry,
 * what to tell the user; what must be identical lives here: exclusive creation and the liveness
 * test. The job overlap lock (`state/lock.ts`) is a different design on purpose: synchronous,
 * heartbeat-based and pid-start-checked, for `sched run`'s start-up path.
 */
import { open } from 'node:fs/promises';

export { pidAlive } from './runs.js';

/**
 * Creates `file` exclusively (O_CREAT|O_EXCL, mode 0600: a symlink counts as existing) holding
 * `holder` as one JSON line; with `durable`, fsynced before it is closed. Returns false when the
 * file already exists (someone holds the lock, or a stale one is left).
 */
export async function createLockFile(file: string, holder: unknown, durable = false): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(JSON.stringify(holder) + '\n');
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}
