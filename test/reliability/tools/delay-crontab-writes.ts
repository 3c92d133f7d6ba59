/**
 * `crontab` shims for PATH that make the race windows of a read-modify-write wide, so that a lost
 * update happens every time rather than once in ten:
 * - {@link delayCrontabWrites}: every write sleeps before it reaches the real command (reads pass
 *   straight through), so two applies both read before either writes;
 * - {@link delayCrontabReads}: every read returns what the crontab held, but only after a sleep,
 *   so a plan made from it is already out of date when the apply gets to act on it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Writes the shim into `dir` (a fresh folder to put first on PATH); returns `dir`. */
export function delayCrontabWrites(dir: string, seconds = 0.4): string {
  const real = ['/usr/bin/crontab', '/bin/crontab'].find((p) => fs.existsSync(p));
  if (!real) throw new Error('no crontab command to wrap');
  fs.mkdirSync(dir, { recursive: true });
  const shim = path.join(dir, 'crontab');
  fs.writeFileSync(
    shim,
    `#!/bin/sh\n# delays writes (anything but -l), to widen read-modify-write races\nfor a in "$@"; do [ "$a" = -l ] && exec ${real} "$@"; done\nsleep ${seconds}\nexec ${real} "$@"\n`,
  );
  fs.chmodSync(shim, 0o755);
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * Writes a read-delaying shim into `dir`; returns `dir`. Each read appends a line to
 * `dir/reads` when it starts (so a test can wait until a plan has read the crontab).
 */
export function delayCrontabReads(dir: string, seconds = 2): string {
  const real = ['/usr/bin/crontab', '/bin/crontab'].find((p) => fs.existsSync(p));
  if (!real) throw new Error('no crontab command to wrap');
  fs.mkdirSync(dir, { recursive: true });
  const shim = path.join(dir, 'crontab');
  fs.writeFileSync(
    shim,
    `#!/bin/sh\n# reads (-l) answer late, with what the crontab held when asked\nfor a in "$@"; do\n  if [ "$a" = -l ]; then\n    echo read >> ${path.join(dir, 'reads')}\n    t=$(mktemp); ${real} "$@" > "$t"; rc=$?; sleep ${seconds}; cat "$t"; rm -f "$t"; exit $rc\n  fi\ndone\nexec ${real} "$@"\n`,
  );
  fs.writeFileSync(path.join(dir, 'reads'), '');
  fs.chmodSync(path.join(dir, 'reads'), 0o666); // the shim runs as the test's user
  fs.chmodSync(shim, 0o755);
  fs.chmodSync(dir, 0o755);
  return dir;
}
