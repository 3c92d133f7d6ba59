/**
 * A `crontab` shim for PATH that makes every write slow (it sleeps before handing the new
 * crontab to the real command; reads pass straight through), so that two applies that both read
 * the crontab before either writes — a lost update — happen every time rather than once in ten.
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
