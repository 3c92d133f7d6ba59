/**
 * A fault injector: a `crontab` to put first on PATH that holds every write (anything but `-l`
 * and `-e`) until the test releases it, so a test can kill sched while it is inside the write.
 *
 * - When a write starts, the shim writes its parent's pid (sched's process, which spawned it)
 *   to the `started` file: wait for that file instead of guessing a delay.
 * - It then waits for the `release` file, runs the real crontab with the same arguments (and
 *   the same stdin: with `crontab -`, whatever sched managed to send before it died), and writes
 *   the real crontab's exit code to the `finished` file.
 *
 * Reads pass straight through to the real crontab.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SlowCrontab {
  /** The directory to put first on PATH. */
  readonly binDir: string;
  /** Resolves with sched's pid once a write has started (and is held). */
  waitForWrite(timeoutMs?: number): Promise<number>;
  /** Lets the held write go on. */
  release(): void;
  /** Resolves with the real crontab's exit code once the released write is done. */
  waitForFinish(timeoutMs?: number): Promise<number>;
  /** Forgets the last write: the next one is held again. */
  reset(): void;
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with `what` in the message. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function realCrontabPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v crontab'], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status !== 0 || !found.startsWith('/')) throw new Error('no crontab on PATH to wrap');
  return found;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Creates the shim in `root/bin` and its marker files in `root/markers`. `owner`: the user sched
 * runs as, who must be able to write the markers.
 */
export function createSlowCrontab(root: string, owner?: { uid: number; gid: number }): SlowCrontab {
  const binDir = path.join(root, 'bin');
  const markers = path.join(root, 'markers');
  mkdirSync(binDir, { recursive: true, mode: 0o755 });
  mkdirSync(markers, { recursive: true, mode: 0o755 });
  if (owner) chownSync(markers, owner.uid, owner.gid);
  const started = path.join(markers, 'started');
  const release = path.join(markers, 'release');
  const finished = path.join(markers, 'finished');
  const real = realCrontabPath();
  const script = [
    '#!/bin/sh',
    '# Held-write crontab shim (test/reliability/tools/slow-crontab.ts).',
    'case " $* " in',
    `  *" -l "*|*" -e "*) exec ${shellQuote(real)} "$@" ;;`,
    'esac',
    `echo "$PPID" > ${shellQuote(`${started}.tmp`)} && mv ${shellQuote(`${started}.tmp`)} ${shellQuote(started)}`,
    `while [ ! -e ${shellQuote(release)} ]; do sleep 0.02; done`,
    `${shellQuote(real)} "$@"`,
    'rc=$?',
    `echo "$rc" > ${shellQuote(`${finished}.tmp`)} && mv ${shellQuote(`${finished}.tmp`)} ${shellQuote(finished)}`,
    'exit "$rc"',
    '',
  ].join('\n');
  const shim = path.join(binDir, 'crontab');
  writeFileSync(shim, script);
  chmodSync(shim, 0o755);

  const readNumber = (file: string): number | undefined => {
    if (!existsSync(file)) return undefined;
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) ? n : undefined;
  };
  return {
    binDir,
    waitForWrite: (timeoutMs) => waitFor('a crontab write to start', () => readNumber(started), timeoutMs),
    release: () => writeFileSync(release, ''),
    waitForFinish: (timeoutMs) =>
      waitFor('the released crontab write to finish', () => readNumber(finished), timeoutMs),
    reset() {
      for (const f of [started, release, finished]) rmSync(f, { force: true });
    },
  };
}
