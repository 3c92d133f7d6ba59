/**
 * A wall clock a test can step under a running process, with libfaketime (Debian package
 * `faketime`): the process gets LD_PRELOAD=libfaketime and FAKETIME_TIMESTAMP_FILE pointing at a
 * file that holds an offset ("+7200" seconds) and is re-read on every clock call
 * (FAKETIME_NO_CACHE=1). The monotonic clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC=1), so
 * timers still run in real time, as they do when NTP or a user steps the clock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
];

export function libfaketimePath(): string | undefined {
  return CANDIDATES.find((p) => fs.existsSync(p));
}

export function faketimeSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'libfaketime: Linux only';
  return libfaketimePath() ? undefined : 'libfaketime is not installed (Debian package faketime)';
}

export interface SteppableClock {
  /** Environment for the process whose clock is stepped. */
  env: Record<string, string>;
  /** Sets the offset of its wall clock from real time, in whole seconds. */
  setOffset(seconds: number): void;
  cleanup(): void;
}

export function steppableClock(initialOffsetSeconds = 0): SteppableClock {
  const lib = libfaketimePath();
  if (!lib) throw new Error('libfaketime is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-faketime-'));
  const file = path.join(dir, 'offset');
  const write = (s: number) => {
    // Atomic, so the process never reads a half-written offset.
    fs.writeFileSync(`${file}.tmp`, `${s >= 0 ? '+' : ''}${Math.round(s)}\n`);
    fs.renameSync(`${file}.tmp`, file);
  };
  write(initialOffsetSeconds);
  return {
    env: {
      LD_PRELOAD: lib,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    setOffset: write,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
