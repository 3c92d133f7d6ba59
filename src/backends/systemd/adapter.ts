/**
 * The systemd backend's OS side: unit files in one directory (a DirFs) and `systemctl` through a
 * Runner. User scope by default (`systemctl --user`, `~/.config/systemd/user`); system scope (as
 * root) uses plain `systemctl` and `/etc/systemd/system`.
 */
import os from 'node:os';
import path from 'node:path';
import { contentHash } from '../header.js';
import type {
  Artifact,
  ArtifactChange,
  Backend,
  Detection,
  InstalledArtifact,
  RenderContext,
} from '../types.js';
import type { Job } from '../../model/job.js';
import type { Clock, DirFs, RunResult, Runner } from '../../platform/ports.js';
import { ExternalCommandError, UserError } from '../../errors.js';
import { splitHeader } from './parse.js';
import {
  checkSystemdJob,
  renderSystemdJob,
  serviceName,
  systemdNotes,
  UNIT_PREFIX,
  type SystemdScope,
} from './render.js';
import { isWakeListenerUnit, renderWakeListener } from './wake-unit.js';

/** Units per `systemctl show` call at the least, and how many calls may run at once. */
const SHOW_CHUNK_MIN = 50;
const SHOW_PARALLEL = 4;
/** Unit files read, or written (each fsynced), at once. */
const FILE_PARALLEL = 16;

/**
 * The marker an apply leaves in the unit directory from its first unit file write until its
 * daemon-reload succeeded: while it exists, the manager may hold older units than the files say
 * (an apply was killed in between), so every unit of the project reads as not registered and
 * the next apply reloads. systemd ignores the file (not a unit name).
 */
export function reloadMarkerName(project: string): string {
  return `.${UNIT_PREFIX}${project}.reload-pending`;
}

/** Runs `fn` over `items`, at most `limit` at a time; results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** `systemctl list-units --plain --no-legend` lines: unit, load state, active state. */
export function parseListUnits(text: string): Map<string, { load: string; active: string }> {
  const units = new Map<string, { load: string; active: string }>();
  for (const line of text.split('\n')) {
    const [unit, load, active] = line.trim().split(/\s+/);
    if (unit && load && active) units.set(unit, { load, active });
  }
  return units;
}

export interface SystemdBackendOptions {
  runner: Runner;
  /** The unit directory (see {@link systemdUnitDir}). */
  dir: DirFs;
  scope: SystemdScope;
  /** The user whose lingering is checked (default: $USER, else the OS user name). */
  user?: string;
  /** The moment of the command: fixes the clock-change window of rendered timers (compensation.ts). */
  clock?: Clock;
}

/** Where unit files live for a scope. */
export function systemdUnitDir(
  scope: SystemdScope,
  home: string = os.homedir(),
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (scope === 'system') return '/etc/systemd/system';
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'systemd', 'user');
}

const UNIT_FILE = /^sched-[a-z0-9][a-z0-9-]*\.(service|timer)$/;

/** Splits `systemctl show` output (blank-line separated blocks of Key=Value) into records. */
export function parseShowOutput(text: string): Record<string, string>[] {
  const records: Record<string, string>[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const rec: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) rec[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (Object.keys(rec).length > 0) records.push(rec);
  }
  return records;
}

export class SystemdBackend implements Backend {
  readonly name = 'systemd' as const;
  /** runNow starts the installed entry (`sched run --trigger …`): run-now leaves a request. */
  readonly runNowStartsEntry = true;
  private readonly runner: Runner;
  readonly dir: DirFs;
  readonly scope: SystemdScope;
  private readonly user: string | undefined;
  private readonly clock: Clock;

  constructor(options: SystemdBackendOptions) {
    this.runner = options.runner;
    this.clock = options.clock ?? { now: () => new Date() };
    this.dir = options.dir;
    this.scope = options.scope;
    this.user = options.user;
  }

  private scopeArgs(): string[] {
    return this.scope === 'user' ? ['--user'] : [];
  }

  private async systemctl(args: readonly string[]): Promise<RunResult> {
    return this.runner.run('systemctl', [...this.scopeArgs(), ...args]);
  }

  private async systemctlOrThrow(args: readonly string[]): Promise<RunResult> {
    const r = await this.systemctl(args);
    if (r.exitCode !== 0)
      throw new ExternalCommandError(['systemctl', ...this.scopeArgs(), ...args], r.exitCode, r.stderr);
    return r;
  }

  async detect(): Promise<Detection> {
    let r: RunResult;
    try {
      r = await this.systemctl(['is-system-running']);
    } catch {
      return { available: false, reason: 'systemctl was not found' };
    }
    const state = r.stdout.trim().split('\n')[0] ?? '';
    const what = this.scope === 'user' ? 'the systemd user manager' : 'systemd';
    if (/^(running|degraded|starting|initializing|maintenance)$/.test(state)) {
      return { available: true, reason: `${what} answers (${state})` };
    }
    const why = (r.stderr.trim() || state || `exit code ${r.exitCode}`).split('\n')[0];
    return { available: false, reason: `${what} does not answer: ${why}` };
  }

  check(job: Job, ctx: RenderContext): string[] {
    return checkSystemdJob(job, ctx, this.clock.now());
  }

  render(job: Job, ctx: RenderContext): Artifact[] {
    return renderSystemdJob(job, ctx, this.scope, this.clock.now());
  }

  /** The wake listener service, when the project has enabled wake jobs. */
  renderProject(project: string, jobs: Job[], ctx: RenderContext): Artifact[] {
    return renderWakeListener(project, jobs, ctx, this.scope);
  }

  /** Per-job notes for `plan` (DST behaviour, boot timers); not part of the Backend contract. */
  notes(job: Job, from: Date): string[] {
    return job.enabled ? systemdNotes(job, from) : [];
  }

  /**
   * This project's unit files plus files with a sched name for it that sched did not write for it
   * (no header, or another project's header — `a` vs `a-b` prefix clashes): those come back with
   * `recordedHash` undefined, so the plan reports a clash if it wants the name and never deletes
   * them. Registration is read with ONE `systemctl show` for all files.
   */
  async readInstalled(project: string): Promise<InstalledArtifact[]> {
    const prefix = `${UNIT_PREFIX}${project}-`;
    const listing = await this.dir.list();
    const reloadPending = listing.some((e) => e.name === reloadMarkerName(project));
    const entries = listing.filter((e) => e.name.startsWith(prefix) && UNIT_FILE.test(e.name));
    const found = await mapLimited(entries, FILE_PARALLEL, async (entry): Promise<InstalledArtifact> => {
      const ext = entry.name.endsWith('.timer') ? 'timer' : 'service';
      if (entry.isSymlink || !entry.isFile) {
        // A link or directory with our name: never ours, never followed.
        return {
          id: entry.name,
          job: entry.name.slice(prefix.length).replace(/\.(service|timer)$/, ''),
          kind: ext,
          content: '',
          actualHash: contentHash(''),
          registered: false,
        };
      }
      const content = (await this.dir.read(entry.name)) ?? '';
      const { ownership, body } = splitHeader(content);
      const kind = isWakeListenerUnit(entry.name, project) ? 'wake listener' : ext;
      const ours = ownership !== undefined && ownership.project === project;
      const job = ours ? ownership.job : entry.name.slice(prefix.length, -(ext.length + 1));
      return {
        id: entry.name,
        job,
        kind,
        content,
        recordedHash: ours ? ownership.hash : undefined,
        actualHash: contentHash(body),
        registered: false,
      };
    });
    if (found.length === 0 || reloadPending) return found;
    await this.readRegistration(prefix, found);
    return found;
  }

  /**
   * Sets `registered` on `found`. Timers (what schedules a job) are asked with `systemctl show`
   * (loaded, enabled, active, no NeedDaemonReload). A service only needs to be loaded, which ONE
   * `list-units` call answers for all the services the manager holds — `show` makes the manager
   * compute every property of every unit (~3–8 ms a service on a busy machine: most of a
   * 500-job plan). Services it does not list (unloaded: a stopped timer no longer holds them) are
   * asked with `show`, which loads them. A service file sched changed but the manager has not
   * reloaded is caught by the reload marker (see {@link reloadMarkerName}).
   */
  private async readRegistration(prefix: string, found: InstalledArtifact[]): Promise<void> {
    const services = found.filter((a) => a.kind === 'service');
    const listed = services.length
      ? parseListUnits(
          (
            await this.systemctlOrThrowQuiet(
              [
                'list-units',
                '--all',
                '--plain',
                '--no-legend',
                '--no-pager',
                '--full',
                '--',
                `${prefix}*.service`,
              ],
              ['list-units', '…'],
            )
          ).stdout,
        )
      : new Map<string, { load: string; active: string }>();
    // Timers and the wake listener must be enabled and active, which only `show` tells.
    const asked = found
      .filter((a) => a.kind !== 'service' || listed.get(a.id)?.load !== 'loaded')
      .map((a) => a.id);
    // `systemctl show` asks the manager for each unit in turn; a few calls side by side take
    // about 40% less time for hundreds of units.
    const chunk = Math.max(SHOW_CHUNK_MIN, Math.ceil(asked.length / SHOW_PARALLEL));
    const chunks: string[][] = [];
    for (let i = 0; i < asked.length; i += chunk) chunks.push(asked.slice(i, i + chunk));
    const outputs = await Promise.all(
      chunks.map(async (part) => {
        const args = ['show', '-p', 'Id,LoadState,UnitFileState,ActiveState,NeedDaemonReload', '--', ...part];
        return (await this.systemctlOrThrowQuiet(args, ['show', '…'])).stdout;
      }),
    );
    const byId = new Map(outputs.flatMap(parseShowOutput).map((rec) => [rec.Id, rec]));
    for (const a of found) {
      if (a.kind === 'service' && listed.get(a.id)?.load === 'loaded') {
        a.registered = true;
        continue;
      }
      const rec = byId.get(a.id);
      if (!rec || rec.LoadState !== 'loaded' || rec.NeedDaemonReload === 'yes') continue;
      // Timers and the wake listener must be enabled and running; a job's oneshot service is
      // inactive between runs. A failed listener therefore shows in `plan` as not registered.
      a.registered =
        a.kind === 'service' ? true : rec.UnitFileState === 'enabled' && rec.ActiveState === 'active';
    }
  }

  /** Runs systemctl; on failure throws naming `shown` (not hundreds of unit names). */
  private async systemctlOrThrowQuiet(args: readonly string[], shown: readonly string[]): Promise<RunResult> {
    const r = await this.systemctl(args);
    if (r.exitCode !== 0)
      throw new ExternalCommandError(['systemctl', ...this.scopeArgs(), ...shown], r.exitCode, r.stderr);
    return r;
  }

  /**
   * Idempotent: stop and disable deleted timers, write/remove files, ONE daemon-reload, then
   * enable and restart every created or updated timer (restart makes a new OnCalendar= take
   * effect). Refuses to touch a file sched did not write for this project.
   */
  async apply(project: string, changes: ArtifactChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const c of changes) {
      if (!UNIT_FILE.test(c.id) || !c.id.startsWith(`${UNIT_PREFIX}${project}-`)) {
        throw new UserError(`refusing to change '${c.id}': not a sched unit of project '${project}'`);
      }
    }
    const currents = await mapLimited(changes, FILE_PARALLEL, (c) => this.dir.read(c.id));
    for (const [i, c] of changes.entries()) {
      const current = currents[i];
      if (current !== undefined) {
        const owner = splitHeader(current).ownership;
        if (!owner || owner.project !== project) {
          throw new UserError(
            `${path.join(this.dir.root, c.id)} exists and was not written by sched for project '${project}'`,
            'rename the job, or move that unit file away if it is no longer needed',
          );
        }
      }
    }
    const existing = new Set((await this.dir.list()).map((e) => e.name));
    // The wake listener is started and stopped like a timer (it is long-running).
    const startable = (c: ArtifactChange) => c.kind === 'timer' || isWakeListenerUnit(c.id, project);
    const deletedTimers = changes
      .filter((c) => c.action === 'delete' && startable(c) && existing.has(c.id))
      .map((c) => c.id);
    if (deletedTimers.length > 0) {
      const r = await this.systemctl(['disable', '--now', '--', ...deletedTimers]);
      if (r.exitCode !== 0 && !/not exist|not loaded|not found/i.test(r.stderr)) {
        throw new ExternalCommandError(
          ['systemctl', ...this.scopeArgs(), 'disable', '--now', ...deletedTimers],
          r.exitCode,
          r.stderr,
        );
      }
    }
    // From the first file written until the reload succeeded, the manager may run older units
    // than the files say: the marker makes a plan in that window report them as not registered.
    await this.dir.write(reloadMarkerName(project), '', 0o644);
    await mapLimited(changes, FILE_PARALLEL, async (c) => {
      if (c.action === 'delete') await this.dir.remove(c.id);
      else if (c.after) await this.dir.write(c.id, c.after.content, 0o644);
    });
    await this.systemctlOrThrow(['daemon-reload']);
    await this.dir.remove(reloadMarkerName(project));
    const timers = changes.filter((c) => c.action !== 'delete' && startable(c)).map((c) => c.id);
    if (timers.length > 0) {
      await this.systemctlOrThrow(['enable', '--', ...timers]);
      await this.systemctlOrThrow(['restart', '--', ...timers]);
    }
  }

  async warnings(): Promise<string[]> {
    if (this.scope !== 'user') return [];
    const user = this.user ?? process.env.USER ?? safeUserName();
    if (!user) return [];
    let r: RunResult;
    try {
      r = await this.runner.run('loginctl', ['show-user', user, '-p', 'Linger']);
    } catch {
      return []; // loginctl missing: nothing to say
    }
    if (r.exitCode === 0 && /^Linger=no\s*$/m.test(r.stdout)) {
      return [
        `lingering is off for user '${user}': user timers stop at logout and do not run before login. Enable it with: loginctl enable-linger ${user}`,
      ];
    }
    return [];
  }

  async runNow(project: string, job: string): Promise<void> {
    await this.systemctlOrThrow(['start', '--no-block', '--', serviceName(project, job)]);
  }
}

function safeUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}
