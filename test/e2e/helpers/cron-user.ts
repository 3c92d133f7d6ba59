/**
 * A throw-away Unix user whose crontab real-crontab tests can fill and read, so they never touch
 * a real user's crontab. Needs root and the `crontab`, `useradd` and `userdel` commands (Debian
 * packages cron and passwd); {@link cronUserSkipReason} says why not when they are missing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Why real-crontab tests cannot run here, or undefined when they can. */
export function cronUserSkipReason(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'not running as root (needed to create a throw-away user)';
  for (const tool of ['crontab', 'useradd', 'userdel']) {
    const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (r.status !== 0) return `'${tool}' is not installed (Debian packages cron and passwd)`;
  }
  return undefined;
}

export interface CrontabResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CronUser {
  name: string;
  home: string;
  uid: number;
  gid: number;
  /** Writes `text` to `file` (usually in the home) and gives it to the user. */
  writeOwned(file: string, text: string): void;
  /** `crontab -u U -l`: the text, or undefined when the user has no crontab. */
  read(): string | undefined;
  /** `crontab -u U -` with `text` on stdin; throws when crontab refuses it. */
  write(text: string): void;
  /** `crontab -u U -` without throwing: what the real crontab says about `text`. */
  tryWrite(text: string): CrontabResult;
  /** Removes the crontab, the user and its temp home. */
  remove(): void;
}

function crontab(args: string[], input?: string): CrontabResult {
  const r = spawnSync('crontab', args, { input, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function idOf(flag: '-u' | '-g', name: string): number {
  return Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
}

/** Creates `sched-e2e-<random>` (no home created by useradd; a temp dir it owns as HOME, /bin/sh). */
export function createCronUser(): CronUser {
  const name = `sched-e2e-${randomBytes(4).toString('hex')}`;
  const home = mkdtempSync(path.join(tmpdir(), `${name}-home-`));
  const add = spawnSync('useradd', ['-M', '-N', '-s', '/bin/sh', '-d', home, name], { encoding: 'utf8' });
  if (add.status !== 0) {
    rmSync(home, { recursive: true, force: true });
    throw new Error(`useradd ${name} failed: ${add.stderr}`);
  }
  const uid = idOf('-u', name);
  const gid = idOf('-g', name);
  chownSync(home, uid, gid); // the CLI, run as the user, keeps its state below HOME
  return {
    name,
    home,
    uid,
    gid,
    writeOwned(file, text) {
      writeFileSync(file, text);
      chownSync(file, uid, gid);
    },
    read() {
      const r = crontab(['-u', name, '-l']);
      if (r.exitCode === 0) return r.stdout;
      if (/no crontab for/.test(r.stderr)) return undefined;
      throw new Error(`crontab -u ${name} -l failed: ${r.stderr}`);
    },
    write(text) {
      const r = crontab(['-u', name, '-'], text);
      if (r.exitCode !== 0) throw new Error(`crontab -u ${name} - refused the text: ${r.stderr}`);
    },
    tryWrite(text) {
      return crontab(['-u', name, '-'], text);
    },
    remove() {
      crontab(['-u', name, '-r']);
      spawnSync('userdel', [name], { encoding: 'utf8' });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
