/**
 * Node implementations of the ports. Heavy modules (execa) are imported lazily so CLI start-up
 * and `sched run` stay light.
 */
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock, DirEntry, DirFs, RunOptions, RunResult, Runner } from './ports.js';
import { UserError } from '../errors.js';
import { ensureDirSync } from '../state/files.js';

export class NodeRunner implements Runner {
  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const { execa } = await import('execa');
    const result = await execa(command, args, {
      input: options.input,
      env: options.env,
      cwd: options.cwd,
      timeout: options.timeoutMs,
      reject: false,
      stripFinalNewline: false,
      encoding: 'utf8',
    });
    if (result.failed && result.exitCode === undefined) {
      // Could not start (ENOENT…) or was killed by the timeout: not an exit code to interpret.
      throw result;
    }
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  }
}

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
 * `ensureDirSync` (state/files.ts), which does the work: a few lstat/mkdir calls on local disk.
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
