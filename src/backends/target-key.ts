/** Helpers the providers build their target keys from (see BackendProvider.targetKey). */
import { createHash } from 'node:crypto';
import os from 'node:os';

/** A short file-name-safe tag of `s`. */
export function targetTag(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

/** The user sched runs as, for targets that are per user (a crontab, a task folder). */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '');
  }
}
