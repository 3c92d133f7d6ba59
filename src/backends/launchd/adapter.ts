/**
 * The launchd backend: per-user agents in ~/Library/LaunchAgents, loaded into the `gui/<uid>`
 * domain with `launchctl bootstrap` / `bootout`. All OS access goes through the Runner and
 * DirFs ports; tests drive it with a fake launchd (test/backends/launchd/fake-launchd.ts).
 *
 * launchctl behaviour this relies on (launchctl(1), and widely reported outputs; not run on a
 * Mac here, see docs/verification.md):
 * - `bootstrap gui/UID PLIST` fails with "Bootstrap failed: 5: Input/output error" when the
 *   label is already loaded, and also for a moment after a `bootout` of the same label while
 *   launchd is still tearing the job down; older releases say "17: File exists" or
 *   "37: Operation already in progress". sched boots the label out first and retries.
 * - `bootout gui/UID/LABEL` of a label that is not loaded fails with "3: No such process" (or
 *   "113: Could not find specified service"): already the wanted state. bootout itself
 *   sometimes fails with "Boot-out failed: 5: Input/output error"; it is retried.
 * - `launchctl list` prints `PID\tStatus\tLabel` lines for every loaded job of the domain.
 */
import path from 'node:path';
import type { Job } from '../../model/job.js';
import { UserError } from '../../errors.js';
import type { DirFs, RunResult, Runner } from '../../platform/ports.js';
import { commandError } from '../command-error.js';
import { contentHash, parseOwnership } from '../header.js';
import type {
  Artifact,
  ArtifactChange,
  Backend,
  Detection,
  InstalledArtifact,
  RenderContext,
} from '../types.js';
import {
  CATCH_UP_LABEL_SUFFIX,
  checkLaunchdJob,
  launchdLabel,
  renderLaunchdCatchUp,
  renderLaunchdJob,
  stripOwnershipComment,
} from './render.js';

export interface LaunchdBackendOptions {
  runner: Runner;
  /** ~/Library/LaunchAgents. */
  dir: DirFs;
  uid: number;
  /** Attempts of a bootstrap that fails with EIO after a bootout (default 5). */
  bootstrapAttempts?: number;
  /** Delay between attempts in ms (default 300; tests use 0). */
  retryDelayMs?: number;
}

const PLIST_FILE = /^dev\.sched\.([a-z0-9][a-z0-9-]*)\.([a-z0-9][a-z0-9-]*)\.plist$/;

/** launchctl's "busy or already loaded" answers to bootstrap. */
const BOOTSTRAP_BUSY = /\b(5: Input\/output error|17: File exists|37: Operation already in progress)/;
/** launchctl's "not loaded" answers to bootout/print/kickstart. */
const NOT_LOADED = /(3: No such process|Could not find (specified )?service|113: )/;
const ACCESS_DENIED =
  /(1: Operation not permitted|Not privileged|125: Domain does not support specified action|Operation not permitted)/;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Labels in `launchctl list` output (`PID\tStatus\tLabel`). */
export function parseLaunchctlList(stdout: string): Map<string, { pid?: number; status: number }> {
  const out = new Map<string, { pid?: number; status: number }>();
  for (const line of stdout.split('\n')) {
    const parts = line.split('\t');
    if (parts.length < 3 || parts[0] === 'PID') continue;
    const [pid, status, label] = parts as [string, string, string];
    const entry: { pid?: number; status: number } = { status: Number(status) };
    if (/^\d+$/.test(pid)) entry.pid = Number(pid);
    out.set(label.trim(), entry);
  }
  return out;
}

export class LaunchdBackend implements Backend {
  readonly name = 'launchd' as const;
  /** runNow starts the installed entry (`sched run --trigger …`): run-now leaves a request. */
  readonly runNowStartsEntry = true;
  private readonly runner: Runner;
  private readonly dir: DirFs;
  private readonly uid: number;
  private readonly attempts: number;
  private readonly delayMs: number;

  constructor(options: LaunchdBackendOptions) {
    this.runner = options.runner;
    this.dir = options.dir;
    this.uid = options.uid;
    this.attempts = options.bootstrapAttempts ?? 5;
    this.delayMs = options.retryDelayMs ?? 300;
  }

  private get domain(): string {
    return `gui/${this.uid}`;
  }

  private async launchctl(args: string[]): Promise<RunResult> {
    return this.runner.run('launchctl', args);
  }

  private fail(args: string[], r: RunResult): never {
    throw commandError('launchctl', args, r, {
      pattern: ACCESS_DENIED,
      message: (text) => `launchctl ${args.join(' ')} was refused: ${text}`,
      hint: `run sched as the logged-in user (not over ssh or with sudo); the ${this.domain} domain exists only for a user with a GUI login session.`,
    });
  }

  async detect(): Promise<Detection> {
    let r: RunResult;
    try {
      r = await this.launchctl(['print', this.domain]);
    } catch {
      return { available: false, reason: 'launchctl was not found (not macOS)' };
    }
    if (r.exitCode === 0) return { available: true, reason: `launchd answers for ${this.domain}` };
    return {
      available: false,
      reason: `launchd does not answer for ${this.domain}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`,
    };
  }

  check(job: Job, ctx: RenderContext): string[] {
    return checkLaunchdJob(job, ctx);
  }

  render(job: Job, ctx: RenderContext): Artifact[] {
    return [renderLaunchdJob(job, ctx)];
  }

  /** The catch-up agent, when any enabled job wants catch-up (launchd has none after power-off). */
  renderProject(project: string, jobs: Job[], ctx: RenderContext): Artifact[] {
    return jobs.some((j) => j.enabled && j.catchUp && j.schedule.kind === 'cron')
      ? [renderLaunchdCatchUp(project, ctx)]
      : [];
  }

  /** Plists with this project's names, and which labels are loaded: ONE `launchctl list`. */
  async readInstalled(project: string): Promise<InstalledArtifact[]> {
    const found: InstalledArtifact[] = [];
    for (const entry of await this.dir.list()) {
      const m = PLIST_FILE.exec(entry.name);
      if (!m || m[1] !== project) continue;
      const jobPart = m[2]!;
      const job = jobPart === CATCH_UP_LABEL_SUFFIX ? '' : jobPart;
      if (entry.isSymlink || !entry.isFile) {
        found.push({
          id: entry.name,
          job,
          kind: 'plist',
          content: '',
          actualHash: contentHash(''),
          registered: false,
        });
        continue;
      }
      const content = (await this.dir.read(entry.name)) ?? '';
      const own = parseOwnership(content);
      const ours = own !== undefined && own.project === project && own.job === job;
      found.push({
        id: entry.name,
        job,
        kind: 'plist',
        content,
        recordedHash: ours ? own.hash : undefined,
        actualHash: contentHash(stripOwnershipComment(content)),
        registered: false,
      });
    }
    if (found.length === 0) return found;
    const r = await this.launchctl(['list']);
    if (r.exitCode !== 0) this.fail(['list'], r);
    const loaded = parseLaunchctlList(r.stdout);
    for (const a of found) a.registered = loaded.has(a.id.replace(/\.plist$/, ''));
    return found;
  }

  /** bootout; "not loaded" is success; the known transient "5: Input/output error" is retried. */
  private async bootout(label: string): Promise<void> {
    const args = ['bootout', `${this.domain}/${label}`];
    for (let attempt = 1; ; attempt++) {
      const r = await this.launchctl(args);
      const text = r.stderr + r.stdout;
      if (r.exitCode === 0 || NOT_LOADED.test(text)) return;
      if (!/\b5: Input\/output error/.test(text) || attempt >= this.attempts) this.fail(args, r);
      if (this.delayMs > 0) await sleep(this.delayMs * attempt);
    }
  }

  /** bootstrap, retrying the EIO launchd gives while a previous instance is still being torn down. */
  private async bootstrap(label: string, file: string): Promise<void> {
    const args = ['bootstrap', this.domain, file];
    for (let attempt = 1; ; attempt++) {
      const r = await this.launchctl(args);
      if (r.exitCode === 0) return;
      const text = r.stderr + r.stdout;
      if (!BOOTSTRAP_BUSY.test(text) || attempt >= this.attempts) this.fail(args, r);
      // Already loaded (a stale instance) or still unloading: make sure it is out, then retry.
      await this.bootout(label);
      if (this.delayMs > 0) await sleep(this.delayMs * attempt);
    }
  }

  /**
   * Idempotent: deleted agents are booted out and their files removed; created and updated ones
   * are written, booted out (an update must reload) and bootstrapped. Refuses to touch a plist
   * sched did not write for this project.
   */
  async apply(project: string, changes: ArtifactChange[]): Promise<void> {
    for (const c of changes) {
      const m = PLIST_FILE.exec(c.id);
      if (!m || m[1] !== project)
        throw new UserError(`refusing to change '${c.id}': not a sched agent of project '${project}'`);
      const current = await this.dir.read(c.id);
      if (current !== undefined) {
        const own = parseOwnership(current);
        if (!own || own.project !== project) {
          throw new UserError(
            `${path.join(this.dir.root, c.id)} exists and was not written by sched for project '${project}'`,
            'rename the job, or move that plist away if it is no longer needed.',
          );
        }
      }
    }
    for (const c of changes) {
      const label = c.id.replace(/\.plist$/, '');
      if (c.action === 'delete') {
        await this.bootout(label);
        await this.dir.remove(c.id);
        continue;
      }
      if (!c.after) continue;
      await this.dir.write(c.id, c.after.content, 0o644);
      if (c.action === 'update') await this.bootout(label);
      await this.bootstrap(label, path.join(this.dir.root, c.id));
    }
  }

  /** `launchctl kickstart -k`: starts the job now (killing a running instance first). */
  async runNow(project: string, job: string): Promise<void> {
    const args = ['kickstart', '-k', `${this.domain}/${launchdLabel(project, job)}`];
    const r = await this.launchctl(args);
    if (r.exitCode === 0) return;
    if (NOT_LOADED.test(r.stderr + r.stdout)) {
      throw new UserError(`job '${job}' is not loaded in launchd`, 'run `sched apply` first.');
    }
    this.fail(args, r);
  }

  /** `launchctl print` of one job: the raw text (for `status`), or undefined when not loaded. */
  async printJob(project: string, job: string): Promise<string | undefined> {
    const args = ['print', `${this.domain}/${launchdLabel(project, job)}`];
    const r = await this.launchctl(args);
    if (r.exitCode === 0) return r.stdout;
    if (NOT_LOADED.test(r.stderr + r.stdout)) return undefined;
    this.fail(args, r);
  }
}
