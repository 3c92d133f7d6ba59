/**
 * The crontab backend's OS side: `crontab -l` to read, `crontab -` to write (or `crontab -r`
 * when nothing is left), always through the Runner port. With `user`, every call is
 * `crontab -u USER …` (root managing another user's crontab).
 */
import { ExternalCommandError, UserError } from '../../errors.js';
import type { Job } from '../../model/job.js';
import type { Runner } from '../../platform/ports.js';
import type {
  Artifact,
  ArtifactChange,
  Backend,
  Detection,
  InstalledArtifact,
  RenderContext,
  RenderedFile,
} from '../types.js';
import { applyChanges, parseCrontab } from './parse.js';
import { checkJob, renderJob, renderProjectEntries } from './render.js';

/**
 * `crontab -l` prints a carriage return as the two characters `\r` (and a backspace as `\b`), so
 * its output cannot always be written back byte for byte. A `\r` at a line end is how a file
 * with Windows line endings lists: refuse to rewrite such a crontab rather than turn its CRs into
 * backslashes. (A `\r` or `\b` inside a line is far more likely to be literal text, as in
 * `tr -d '\r'`, and is kept as listed.)
 */
const CR_AT_LINE_END = /\\r(?=\n|$)/;

export interface CrontabBackendOptions {
  runner: Runner;
  /** Another user's crontab (`crontab -u USER`); needs root. Default: the current user's. */
  user?: string;
}

/**
 * The user crontab as a sched backend. One block per project (see parse.ts); every byte outside
 * it is kept.
 *
 * `runNow` is deliberately not implemented: cron cannot start an entry on demand, so the caller
 * runs `sched run --project P JOB` directly (what the entry would have run).
 */
export class CrontabBackend implements Backend {
  readonly name = 'crontab' as const;
  private readonly runner: Runner;
  private readonly user: string | undefined;

  constructor(options: CrontabBackendOptions) {
    this.runner = options.runner;
    this.user = options.user;
  }

  private args(...rest: string[]): string[] {
    return this.user === undefined ? rest : ['-u', this.user, ...rest];
  }

  private who(): string {
    return this.user === undefined ? 'your crontab' : `the crontab of ${this.user}`;
  }

  async detect(): Promise<Detection> {
    const found = await this.runner.run('sh', ['-c', 'command -v crontab']).catch(() => undefined);
    if (!found || found.exitCode !== 0) {
      return {
        available: false,
        reason: "no 'crontab' command on PATH (install cron, e.g. 'apt-get install cron')",
      };
    }
    const path = found.stdout.trim();
    const daemon = await this.daemonRunning();
    return {
      available: true,
      reason: daemon
        ? `crontab found at ${path}; the cron daemon is running`
        : `crontab found at ${path}; the cron daemon does not seem to be running`,
    };
  }

  /** `pgrep -x cron` (Debian), `pgrep -x crond` (others), or a pid file. */
  private async daemonRunning(): Promise<boolean> {
    const r = await this.runner
      .run('sh', [
        '-c',
        'pgrep -x cron >/dev/null 2>&1 || pgrep -x crond >/dev/null 2>&1 || test -s /run/crond.pid || test -s /var/run/crond.pid',
      ])
      .catch(() => undefined);
    return r !== undefined && r.exitCode === 0;
  }

  async warnings(): Promise<string[]> {
    if (await this.daemonRunning()) return [];
    return [
      "the cron daemon is not running: crontab entries will not fire until it is started (e.g. 'systemctl enable --now cron' or 'service cron start')",
    ];
  }

  check(job: Job, ctx: RenderContext): string[] {
    return checkJob(job, ctx);
  }

  render(job: Job, ctx: RenderContext): Artifact[] {
    return renderJob(job, ctx);
  }

  renderProject(project: string, jobs: Job[], ctx: RenderContext): Artifact[] {
    return renderProjectEntries(project, jobs, ctx);
  }

  /**
   * For `sched render --out DIR`: one file, `<project>.crontab`, holding the project's block
   * exactly as apply would append it to an empty crontab.
   */
  renderFiles(project: string, artifacts: Artifact[]): RenderedFile[] {
    const changes = artifacts.map((a): ArtifactChange => ({
      action: 'create',
      id: a.id,
      job: a.job,
      kind: a.kind,
      after: a,
    }));
    return [{ name: `${project}.crontab`, content: applyChanges('', project, changes) }];
  }

  /** The whole crontab text; `''` when there is none ("no crontab for X", exit 1). */
  async readCrontab(): Promise<string> {
    const args = this.args('-l');
    // CRONTAB_NOHEADER=N would make -l print the 3 header lines crontab adds on every install;
    // written back, they would pile up. Force the default (headers hidden).
    const r = await this.runner.run('crontab', args, { env: { CRONTAB_NOHEADER: 'Y' } });
    if (r.exitCode === 0) return r.stdout;
    if (/no crontab for/i.test(r.stderr)) return '';
    throw new ExternalCommandError(['crontab', ...args], r.exitCode, r.stderr);
  }

  private async writeCrontab(text: string): Promise<void> {
    // An empty result removes the crontab instead of installing an empty one.
    const args = text === '' ? this.args('-r') : this.args('-');
    const r = await this.runner.run('crontab', args, text === '' ? {} : { input: text });
    if (r.exitCode === 0) return;
    if (text === '' && /no crontab for/i.test(r.stderr)) return;
    throw new ExternalCommandError(['crontab', ...args], r.exitCode, r.stderr);
  }

  /** One `crontab -l`. Throws CrontabMarkerError (a UserError) when the block is unbalanced. */
  async readInstalled(project: string): Promise<InstalledArtifact[]> {
    return parseCrontab(await this.readCrontab(), project);
  }

  /**
   * Reads, computes the new text, re-reads just before writing and refuses when the crontab
   * changed in between (a concurrent `crontab -e`), then writes with `crontab -`. Writes nothing
   * when the text would not change. crontab offers no compare-and-swap, so a tiny window between
   * the re-read and the write remains.
   */
  async apply(project: string, changes: ArtifactChange[]): Promise<void> {
    const text = await this.readCrontab();
    const next = applyChanges(text, project, changes);
    if (next !== text && CR_AT_LINE_END.test(text)) {
      throw new UserError(
        `${this.who()} has lines ending in a carriage return (Windows line endings); nothing was written`,
        "'crontab -l' shows a carriage return as the two characters \\r, so sched cannot write the other lines back " +
          "byte for byte. Remove the carriage returns ('crontab -e', or \"crontab -l | sed 's/\\\\r$//' | crontab -\" " +
          'after checking its output), then apply again.',
      );
    }
    if (next === text) return;
    const again = await this.readCrontab();
    if (again !== text) {
      throw new UserError(
        `${this.who()} changed while sched was applying; nothing was written`,
        "Someone edited it at the same time (crontab -e?). Run 'sched plan' again, then apply.",
      );
    }
    await this.writeCrontab(next);
  }
}
