/**
 * A fault injector: a directory holding a program of a given name (`crontab`, `systemctl`…) that
 * prints a message on stderr and exits with a code, to put first on PATH so that a backend's
 * command fails the way a broken host's would.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `dir/name` failing with `stderr` and `exitCode`; returns `dir` (for PATH). */
export function failingCommand(dir: string, name: string, stderr: string, exitCode = 1): string {
  mkdirSync(dir, { recursive: true });
  const quoted = `'${stderr.replace(/'/g, `'\\''`)}'`;
  writeFileSync(path.join(dir, name), `#!/bin/sh\nprintf '%s\\n' ${quoted} >&2\nexit ${exitCode}\n`);
  chmodSync(path.join(dir, name), 0o755);
  return dir;
}
