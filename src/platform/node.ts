/**
 * Node implementations of the ports, kept to node's own modules so CLI start-up stays light.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { lstat, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock, DirEntry, DirFs, FileStager, RunOptions, RunResult, Runner } from './ports.js';
import { UserError } from '../errors.js';
import { ensureDirSync } from './trust.js';

/**
 * Runs scheduler CLIs (crontab, systemctl, launchctl, schtasks, kubectl) with node's own `spawn`.
 * Not execa: importing it costs ~100 ms, more than a whole no-change plan may take, and these
 * calls need only argv, stdin text, env, cwd, a timeout and the collected output.
 */
export class NodeRunner implements Runner {
  processRunning(names: readonly string[], pidFiles: readonly string[]): boolean | undefined {
    const found = processNamesIn('/proc', names);
    if (found === undefined) return undefined;
    return found || pidFiles.some((f) => (statSync(f, { throwIfNoEntry: false })?.size ?? 0) > 0);
  }

  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ? { ...process.env, ...options.env } : process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const encoding = options.encoding ?? 'utf8';
      child.stdout.setEncoding(encoding).on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding(encoding).on('data', (d: string) => (stderr += d));
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              child.kill('SIGKILL');
              // Do not wait for the pipes: a grandchild may hold them open long after.
              child.stdout.destroy();
              child.stderr.destroy();
              reject(
                new Error(
                  `'${[command, ...args].join(' ')}' did not finish within ${options.timeoutMs} ms and was stopped`,
                ),
              );
            }, options.timeoutMs);
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // Could not start (ENOENT, EACCES…): not an exit code to interpret.
        reject(Object.assign(new Error(`cannot run '${command}': ${err.message}`), { code: err.code }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== null) resolve({ exitCode: code, stdout, stderr });
        else reject(new Error(`'${[command, ...args].join(' ')}' was killed by ${signal}`));
      });
      // A command that does not read its input must not fail the call (EPIPE).
      child.stdin.on('error', () => undefined);
      // Always end stdin, so a command that reads it sees end-of-file instead of waiting forever.
      child.stdin.end(Buffer.from(options.input ?? '', encoding));
    });
  }
}

/** Staging directories are `sched-stage-<pid>-XXXXXX`: the pid says whether its owner is gone. */
const STAGE_PREFIX = 'sched-stage-';
const STAGE_DIR = /^sched-stage-(\d+)-[A-Za-z0-9]{6}$/;

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes staging directories of this user whose process is gone (killed while its command ran:
 * the file was handed over whole, but nobody was left to remove it). Best effort.
 */
async function sweepOrphanedStages(root: string): Promise<void> {
  const uid = process.getuid?.();
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const m = STAGE_DIR.exec(name);
    if (!m || Number(m[1]) === process.pid || !processGone(Number(m[1]))) continue;
    const dir = path.join(root, name);
    const st = await lstat(dir).catch(() => undefined);
    if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Stages files under the system temp dir: `mkdtemp` makes a new directory only this user can
 * enter (0700), the file is created there exclusively (0600), written and fsynced before `use`
 * sees it. A kill after that leaves a whole file behind, never half of one; the next stage
 * removes what a killed process left.
 */
export const tempFileStager: FileStager = {
  async stage(name, content, use) {
    assertPlainName(name);
    const root = tmpdir();
    await sweepOrphanedStages(root);
    const dir = await mkdtemp(path.join(root, `${STAGE_PREFIX}${process.pid}-`));
    try {
      const file = path.join(dir, name);
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return await use(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export const systemClock: Clock = { now: () => new Date() };

/** Absolute path of sched's `bin/run.js` (this module lives in dist/platform or src/platform). */
export function schedBinPath(): string {
  return fileURLToPath(new URL('../../bin/run.js', import.meta.url));
}

/** Rejects anything but a single, plain path component. */
export function assertPlainName(name: string): void {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new UserError(`refusing unsafe file name '${name}'`);
  }
}

/**
 * Creates `dir` (and parents) with `mode`, refusing when any existing component inside `base`
 * is a symlink: sched never writes through a link out of its own directories. The async face of
 * `ensureDirSync` (platform/trust.ts), which does the work: a few lstat/mkdir calls on local disk.
 */
export async function ensureDirNoSymlink(
  dir: string,
  mode: number,
  base = path.parse(dir).root,
): Promise<void> {
  ensureDirSync(dir, base, mode);
}

export class NodeDirFs implements DirFs {
  constructor(
    readonly root: string,
    private readonly dirMode = 0o755,
  ) {}

  async list(): Promise<DirEntry[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    return entries.map((e) => ({ name: e.name, isSymlink: e.isSymbolicLink(), isFile: e.isFile() }));
  }

  async read(name: string): Promise<string | undefined> {
    assertPlainName(name);
    const file = path.join(this.root, name);
    const st = await lstat(file).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink()) throw new UserError(`refusing to read ${file}: it is a symbolic link`);
    return readFile(file, 'utf8');
  }

  async write(name: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
    assertPlainName(name);
    await ensureDirNoSymlink(this.root, this.dirMode);
    const file = path.join(this.root, name);
    const st = await lstat(file).catch(() => undefined);
    if (st?.isSymbolicLink()) throw new UserError(`refusing to write ${file}: it is a symbolic link`);
    const { default: writeFileAtomic } = await import('write-file-atomic');
    await writeFileAtomic(file, typeof content === 'string' ? content : Buffer.from(content), {
      mode,
      fsync: true,
    });
  }

  async remove(name: string): Promise<void> {
    assertPlainName(name);
    await rm(path.join(this.root, name), { force: true });
  }
}

/** An in-memory DirFs for tests and dry runs. */
export class MemoryDirFs implements DirFs {
  readonly files = new Map<string, { content: string; mode: number }>();
  constructor(readonly root = '/memory') {}
  async list(): Promise<DirEntry[]> {
    return [...this.files.keys()].sort().map((name) => ({ name, isSymlink: false, isFile: true }));
  }
  async read(name: string): Promise<string | undefined> {
    assertPlainName(name);
    return this.files.get(name)?.content;
  }
  async write(name: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
    assertPlainName(name);
    this.files.set(name, {
      content: typeof content === 'string' ? content : Buffer.from(content).toString('utf8'),
      mode,
    });
  }
  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
}

/**
 * Whether a process whose name (`/proc/PID/comm`, what `pgrep -x` matches) is one of `names` is
 * listed in `procDir` — what pgrep reads, without starting it: a few hundred small reads.
 * Undefined when there is no such directory (not Linux).
 */
export function processNamesIn(procDir: string, names: readonly string[]): boolean | undefined {
  let pids: string[];
  try {
    pids = readdirSync(procDir).filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  const wanted = new Set(names);
  const buf = Buffer.alloc(64); // comm is at most 16 bytes
  for (const pid of pids) {
    let fd: number | undefined;
    try {
      fd = openSync(path.join(procDir, pid, 'comm'), 'r');
      const n = readSync(fd, buf, 0, buf.length, 0);
      if (wanted.has(buf.toString('latin1', 0, n).trimEnd())) return true;
    } catch {
      // Ended meanwhile, or hidden from us (hidepid): not a match.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return false;
}
