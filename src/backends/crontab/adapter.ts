/**
 * The crontab backend's OS side, always through the Runner port. With `user`, every call is
 * `crontab -u USER …` (root managing another user's crontab).
 *
 * - Read: `crontab -l`, as bytes (latin1), so foreign lines that are not UTF-8 survive. Debian's
 *   `crontab -l` prints a carriage return as the two characters `\r` and a backspace as `\b`;
 *   when the listing holds either sequence it is ambiguous, and the crontab is read again through
 *   `crontab -e` with `cat` as the editor, which shows the installed bytes as they are.
 * - Write: `crontab FILE`, the whole new crontab staged as a complete, fsynced file first; never
 *   `crontab -` through a pipe, which a kill of sched would cut short and crontab would install.
 *   `crontab -r` when nothing is left.
 * - Compare-and-swap: the crontab is re-read right before the write; apply refuses when it is not
 *   what the plan read (see {@link CrontabChangedError}).
 */
import { createHash } from 'node:crypto';
import { ExternalCommandError, UserError } from '../../errors.js';
import type { Job } from '../../model/job.js';
import { tempFileStager } from '../../platform/node.js';
import type { FileStager, Runner } from '../../platform/ports.js';
import type {
  Artifact,
  ArtifactChange,
  Backend,
  BackendApplyOptions,
  Detection,
  InstalledArtifact,
  RenderContext,
  RenderedFile,
} from '../types.js';
import { cronDaemonRunning } from './daemon-probe.js';
import { applyChanges, applyChangesToBytes, crontabListing, parseCrontabBytes } from './parse.js';
import { checkBlockSize, checkJob, renderJob, renderProjectEntries } from './render.js';

/** The two escapes of Debian's `crontab -l`. */
const LISTING_ESCAPE = /\\[rb]/;

/** The token {@link CrontabBackend.observedState} returns for a crontab's bytes. */
function stateOf(bytes: string): string {
  return `sha256:${createHash('sha256').update(Buffer.from(bytes, 'latin1')).digest('hex')}`;
}

/**
 * The crontab is not what the plan read (another sched apply, a `crontab -e`, a script):
 * nothing was written. Planning again shows what is there now.
 */
export class CrontabChangedError extends UserError {
  constructor(who: string, when: string) {
    super(
      `${who} changed ${when}; nothing was written`,
      "Something else wrote it in the meantime (another 'sched apply', 'crontab -e', a script). " +
        "Run 'sched plan' again to see what is there now, then apply.",
    );
    this.name = 'CrontabChangedError';
  }
}

export interface CrontabBackendOptions {
  runner: Runner;
  /** Another user's crontab (`crontab -u USER`); needs root. Default: the current user's. */
  user?: string;
  /** Where the new crontab is written before `crontab FILE`. Default: a private temp directory. */
  files?: FileStager;
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
  private readonly files: FileStager;
  /** Per project: the state of the crontab its last readInstalled (or apply) saw. */
  private readonly observed = new Map<string, string>();
  /** Per project: the bytes behind {@link observed}, as its last readInstalled read them. */
  private readonly observedBytes = new Map<string, string>();

  constructor(options: CrontabBackendOptions) {
    this.runner = options.runner;
    this.user = options.user;
    this.files = options.files ?? tempFileStager;
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

  private daemonRunning(): Promise<boolean> {
    return cronDaemonRunning(this.runner);
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

  checkProject(jobs: readonly Job[]): { job: string; problem: string }[] {
    return checkBlockSize(jobs);
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

  /**
   * The whole crontab as text (UTF-8 decoded), exactly as installed; `''` when there is none.
   * For readers that only look (import's scan); the backend itself works on the bytes.
   */
  async readCrontab(): Promise<string> {
    return Buffer.from(await this.readCrontabBytes(), 'latin1').toString('utf8');
  }

  /**
   * The whole crontab as a byte string (latin1: one character per byte), exactly as installed;
   * `''` when there is none ("no crontab for X", exit 1).
   */
  async readCrontabBytes(): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      const listed = await this.list();
      if (!LISTING_ESCAPE.test(listed)) return listed;
      const raw = await this.editorCopy();
      // The same crontab, unless it changed between the two reads: then read both again.
      if (crontabListing(raw) === listed) return raw;
      if (attempt === 3) {
        throw new UserError(
          `could not read ${this.who()} byte for byte: 'crontab -l' and 'crontab -e' show different contents`,
          'Something may be changing it continuously. Run sched again; if this persists, check the crontab with ' +
            "'crontab -l' for lines with carriage returns or backspaces.",
        );
      }
    }
  }

  private async list(): Promise<string> {
    const args = this.args('-l');
    // CRONTAB_NOHEADER=N would make -l print the 3 header lines crontab adds on every install;
    // written back, they would pile up. Force the default (headers hidden).
    const r = await this.runner.run('crontab', args, {
      env: { CRONTAB_NOHEADER: 'Y' },
      encoding: 'latin1',
    });
    if (r.exitCode === 0) return r.stdout;
    if (/no crontab for/i.test(r.stderr)) return '';
    throw new ExternalCommandError(['crontab', ...args], r.exitCode, r.stderr);
  }

  /**
   * The installed bytes through `crontab -e` with `cat` as the editor: crontab copies the
   * crontab into a temp file unescaped (headers hidden, as with -l) and, since the editor changes
   * nothing, installs nothing ("No modification made").
   */
  private async editorCopy(): Promise<string> {
    const args = this.args('-e');
    const r = await this.runner.run('crontab', args, {
      env: { CRONTAB_NOHEADER: 'Y', VISUAL: 'cat', EDITOR: 'cat' },
      encoding: 'latin1',
    });
    if (r.exitCode === 0) return r.stdout;
    throw new ExternalCommandError(['crontab', ...args], r.exitCode, r.stderr);
  }

  /**
   * Replaces the crontab with `next` if it still holds `current`: the complete file is staged
   * first, then the crontab is re-read, then `crontab FILE` installs it (`crontab -r` for `''`).
   * crontab itself has no compare-and-swap, so a window of one process start remains; sched's
   * own appliers are kept out of it by the apply lock.
   */
  private async replace(current: string, next: string, changedWhen: string): Promise<void> {
    const install = async (file?: string): Promise<void> => {
      if ((await this.readCrontabBytes()) !== current) throw new CrontabChangedError(this.who(), changedWhen);
      const args = file === undefined ? this.args('-r') : this.args(file);
      const r = await this.runner.run('crontab', args);
      if (r.exitCode === 0) return;
      if (file === undefined && /no crontab for/i.test(r.stderr)) return;
      throw new ExternalCommandError(['crontab', ...args], r.exitCode, r.stderr);
    };
    if (next === '') await install();
    else await this.files.stage('crontab', Buffer.from(next, 'latin1'), install);
  }

  /** One `crontab -l` (two when it lists `\r` or `\b`). Throws CrontabMarkerError when the block is unbalanced. */
  async readInstalled(project: string): Promise<InstalledArtifact[]> {
    // A read that fails leaves no bytes to write from: apply then reads (and explains) itself.
    this.observedBytes.delete(project);
    const bytes = await this.readCrontabBytes();
    const found = parseCrontabBytes(bytes, project);
    this.observed.set(project, stateOf(bytes));
    this.observedBytes.set(project, bytes);
    return found;
  }

  /** The state of the crontab as this instance's last readInstalled(project) (or apply) saw it. */
  observedState(project: string): string | undefined {
    return this.observed.get(project);
  }

  /**
   * Reads, computes the new crontab and writes it only when it differs, as a compare-and-swap:
   * refused with {@link CrontabChangedError}, writing nothing, when the crontab is not the one
   * `options.expectedState` (default: this instance's last readInstalled of the project) names,
   * or when it changes between this read and the write. Every byte outside the block is kept.
   */
  async apply(project: string, changes: ArtifactChange[], options: BackendApplyOptions = {}): Promise<void> {
    const expected = options.expectedState ?? this.observed.get(project);
    const seen = this.observedBytes.get(project);
    // The bytes the plan's read saw stand in for a read of their own (one `crontab -l` less):
    // replace() reads the crontab again right before writing and refuses unless it is these.
    const reuse = seen !== undefined && expected !== undefined && stateOf(seen) === expected;
    const text = reuse ? seen : await this.readCrontabBytes();
    // Computed first (it is pure): a crontab sched cannot read is the more useful error.
    const next = applyChangesToBytes(text, project, changes);
    if (expected !== undefined && stateOf(text) !== expected)
      throw new CrontabChangedError(this.who(), 'since the plan read it');
    if (next !== text)
      await this.replace(text, next, reuse ? 'since the plan read it' : 'while sched was applying');
    // Whoever saw the crontab as it was has now seen this write too: it was sched's own.
    const before = stateOf(text);
    const after = stateOf(next);
    for (const [p, state] of this.observed)
      if (state === before) {
        this.observed.set(p, after);
        this.observedBytes.set(p, next);
      }
    this.observed.set(project, after);
    this.observedBytes.set(project, next);
  }
}
