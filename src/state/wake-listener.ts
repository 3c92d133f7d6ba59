/**
 * The wake listener's own record (`projects/<project>/wake-listener.json`): what the systemd wake
 * listener (`sched wake-listen`) is doing, and its last error. `sched status` reads it, so a
 * listener that cannot reach the system bus is reported there and not only in the journal.
 */
import path from 'node:path';
import { ensureDirSync, readJsonSync, writeAtomicSync } from './files.js';
import { projectStateDir } from './paths.js';

export interface WakeListenerStatus {
  /** `listening`: connected and waiting; `failed`: it exited with `error`; `stopped`: stopped by systemd. */
  state: 'listening' | 'failed' | 'stopped';
  pid: number;
  /** When it entered this state (ISO-8601). */
  since: string;
  /** The wake jobs it starts. */
  jobs: string[];
  /** Why it failed, in words (state `failed`). */
  error?: string;
  /** The last resume it saw, and the last announced sleep (ISO-8601). */
  last_resume?: string;
  last_sleep?: string;
}

export const WAKE_LISTENER_FILE = 'wake-listener.json';

export function wakeListenerFile(root: string, project: string): string {
  return path.join(projectStateDir(root, project), WAKE_LISTENER_FILE);
}

export function readWakeListenerStatus(root: string, project: string): WakeListenerStatus | undefined {
  const status = readJsonSync<WakeListenerStatus>(wakeListenerFile(root, project));
  return status && typeof status.state === 'string' ? status : undefined;
}

export function writeWakeListenerStatus(root: string, project: string, status: WakeListenerStatus): void {
  ensureDirSync(projectStateDir(root, project), root);
  writeAtomicSync(wakeListenerFile(root, project), JSON.stringify(status, null, 2) + '\n', undefined, false);
}
