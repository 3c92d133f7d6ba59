/**
 * Fault injectors for sched's locks:
 * - {@link contendForApplyLock}: many processes racing for one apply lock at the same instant
 *   (after a barrier), each logging when it is inside; {@link maxInside} reads the log back.
 * - {@link holdAndDie}: a process that takes the lock and dies by SIGKILL without releasing it.
 * - {@link spawnUnreapedChild}: a NON-REAPING PARENT — a process whose child exits and is never
 *   waited for, so the child stays a zombie (`Z` in /proc/<pid>/stat) while the parent lives.
 * The workers run the compiled lock module (`dist/`), so build first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../e2e/helpers/cli.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lock-worker.mjs');

/** The compiled apply-lock module of this checkout (or of another build, to compare). */
export function applyLockModule(repoRoot = REPO_ROOT): string {
  return pathToFileURL(path.join(repoRoot, 'dist', 'apply', 'lock.js')).href;
}

/** Why the lock injectors cannot run here, or undefined. */
export function lockToolsSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'Linux only (/proc)';
  if (!fs.existsSync(fileURLToPath(applyLockModule()))) return 'sched is not built (run `npm run build`)';
  return undefined;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Takes the apply lock of project `p` in a separate process that then dies without releasing it. */
export function holdAndDie(root: string, moduleUrl = applyLockModule()): void {
  const r = spawnSync(process.execPath, [WORKER, moduleUrl, root, 'hold-and-die'], { encoding: 'utf8' });
  if (!r.stdout.includes('held')) throw new Error(`the holder did not take the lock: ${r.stderr}`);
}

/**
 * Starts `processes` workers, releases them at once, waits for all; returns the log of who was
 * inside the lock when ("enter PID" / "exit PID" lines, in order).
 */
export async function contendForApplyLock(opts: {
  root: string;
  processes: number;
  holdMs: number;
  moduleUrl?: string;
}): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(opts.root, '..', 'contend-'));
  const go = path.join(dir, 'go');
  const log = path.join(dir, 'log');
  fs.writeFileSync(log, '');
  const children = Array.from({ length: opts.processes }, () =>
    spawn(
      process.execPath,
      [WORKER, opts.moduleUrl ?? applyLockModule(), opts.root, 'contend', go, log, String(opts.holdMs)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
  );
  // Open the barrier once every worker has loaded the module and waits at it.
  const deadline = Date.now() + 60_000;
  while (fs.readdirSync(dir).filter((n) => n.startsWith('go.ready-')).length < opts.processes) {
    if (Date.now() > deadline || children.some((c) => c.exitCode !== null))
      throw new Error('the lock workers did not all reach the barrier');
    await new Promise((r) => setTimeout(r, 10));
  }
  fs.writeFileSync(go, '');
  await Promise.all(children.map(exited));
  const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  fs.rmSync(dir, { recursive: true, force: true });
  return lines;
}

/** The largest number of workers inside the lock at once, from a {@link contendForApplyLock} log. */
export function maxInside(lines: string[]): number {
  let inside = 0;
  let max = 0;
  for (const line of lines) {
    inside += line.startsWith('enter ') ? 1 : -1;
    max = Math.max(max, inside);
  }
  return max;
}

/** A child that exited and that its (live) parent never reaps. */
export interface UnreapedChild {
  /** The zombie's pid. */
  pid: number;
  /** The non-reaping parent; kill it to let init reap the zombie. */
  parent: ChildProcess;
  /** Kills the parent (init then reaps the zombie). */
  kill(): void;
}

/**
 * Runs `command args…` as the child of a process that never waits for it: `sh` starts the child
 * in the background, prints its pid, and replaces itself with `sleep` (which reaps nothing).
 * Resolves once the child has exited and is a zombie.
 */
export async function spawnUnreapedChild(command: string, args: string[]): Promise<UnreapedChild> {
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const parent = spawn('sh', ['-c', `${quoted} >/dev/null 2>&1 & echo $!; exec sleep 600`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  parent.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const deadline = Date.now() + 30_000;
  let pid = 0;
  for (;;) {
    pid = pid || Number(out.split('\n')[0]);
    if (pid) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) break;
      } catch {
        throw new Error(`child ${pid} was reaped: the parent is not a non-reaping one`);
      }
    }
    if (Date.now() > deadline) {
      parent.kill('SIGKILL');
      throw new Error(`the child did not become a zombie within 30 s (pid ${pid || 'unknown'})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { pid, parent, kill: () => parent.kill('SIGKILL') };
}

/** A worker command line that takes the apply (or daemon) lock of `root` and dies holding it. */
export function holdAndDieCommand(root: string, lock: 'apply' | 'daemon' = 'apply'): [string, string[]] {
  return lock === 'apply'
    ? [process.execPath, [WORKER, applyLockModule(), root, 'hold-and-die']]
    : [
        process.execPath,
        [
          WORKER,
          pathToFileURL(path.join(REPO_ROOT, 'dist', 'daemon', 'lock.js')).href,
          root,
          'daemon-hold-and-die',
        ],
      ];
}
