/**
 * `sched import`: finds jobs on this host that sched does not own, proposes YAML for them, and
 * with `write` appends them to schedules.yaml and takes the originals out of service.
 *
 * Takeover (so that nothing runs twice and nothing is lost):
 * - crontab: the whole crontab is first saved to `<state>/import-backup-<time>.crontab` (0600),
 *   then each imported line is replaced, in one `crontab -` write, by `# sched-imported: <line>`
 *   (a comment: cron no longer runs it, the text stays where it was). The jobs run again from
 *   sched's block once `sched apply` installs them; with `apply: true` that happens in the very
 *   same crontab write, so there is no gap at all.
 * - systemd: `systemctl --user disable --now NAME.timer`; the unit files are kept.
 * - launchd: `launchctl bootout gui/UID/LABEL`, and the plist is renamed to `….plist.sched-imported`
 *   (launchd would load it again at the next login otherwise).
 * - Task Scheduler: `schtasks /Change /TN PATH /DISABLE`; the task is kept.
 *
 * Order: the host is changed first, then schedules.yaml is written (atomically, validated
 * beforehand); if writing the file fails, the crontab is put back as it was.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasErrors } from '../config/diagnostic.js';
import { loadProject } from '../config/load.js';
import {
  backendSettings,
  createBackend,
  importableBackends,
  importSchedulersFor,
} from '../backends/registry.js';
import type { BackendName } from '../model/job.js';
import type { CrontabBackend } from '../backends/crontab/adapter.js';
import { crontabListing } from '../backends/crontab/parse.js';
import { ExternalCommandError, InvalidConfigError, UserError } from '../errors.js';
import { commentOutLines, scanCrontab } from '../backends/crontab/import.js';
import { convertLaunchAgent } from '../backends/launchd/import.js';
import { nameFromCommand, uniqueName } from '../import/names.js';
import { convertSystemdTimer, parseUnit } from '../backends/systemd/import.js';
import { convertTask } from '../backends/windows/import.js';
import type { ImportRefusal, ImportSource, JobProposal, UnnamedScan } from '../import/types.js';
import { appendJobs, defaultTimezone, existingJobNames, renderJobsBlock } from '../import/yaml.js';
import { NodeRunner, ensureDirNoSymlink } from '../platform/node.js';
import type { Runner } from '../platform/ports.js';
import type { Plan } from '../plan/types.js';
import { stateRoot } from '../state/paths.js';
import type { HostSettings } from './host.js';
import { hostOptions, hostZone } from './host.js';

/** A scheduler `sched import` reads (see {@link importableBackends}). */
export type ImportScheduler = BackendName;

export interface ImportRequest {
  file: string;
  /** Only this scheduler; default: every one this platform has. */
  scheduler?: ImportScheduler;
  /** Append to the file and take the originals out of service. */
  write?: boolean;
  /**
   * With `write`: apply the imported jobs right away; for crontab lines in the same crontab
   * write that comments the originals out.
   */
  apply?: boolean;
}

export interface ImportOutcome {
  /** Schedulers looked at, and those skipped with why. */
  scanned: ImportScheduler[];
  skipped: { scheduler: ImportScheduler; reason: string }[];
  proposals: JobProposal[];
  refused: ImportRefusal[];
  /** The proposals as YAML (a `jobs:` block body, keys at column 0); '' when none. */
  yaml: string;
  written?: {
    file: string;
    backup?: string;
    commentedOut: number;
    disabled: string[];
    /** With `apply`: the plan that was applied (imported jobs only). */
    plan?: Plan;
  };
}

/** A scheduler's foreign jobs; `undefined` with a reason when it cannot be read here. */
export interface ImportReader {
  scheduler: ImportScheduler;
  /**
   * crontab only: the text as scanned and as it is once the given lines are commented out, so
   * that `apply` can write both changes in one crontab write.
   */
  texts?(sources: ImportSource[]): { scanned: string; commented: string };
  scan(): Promise<UnnamedScan | { unavailable: string }>;
  /** Takes the given entries out of service (see the module comment). */
  takeOver?(
    sources: ImportSource[],
    backupPath: string,
  ): Promise<{ backup?: string; count: number; undo?: () => Promise<void> }>;
}

interface ScanContext {
  runner: Runner;
  host: HostSettings;
  homeDir: string;
  hostTimezone: string;
  defaultTimezone?: string;
}

/** Reads and rewrites the user crontab through the crontab backend's `crontab -l`. */
function crontabReader(ctx: ScanContext): ImportReader {
  let scanned: string | undefined;
  let backend: CrontabBackend | undefined;
  const open = async (): Promise<CrontabBackend> =>
    (backend ??= (await createBackend('crontab', {
      ...hostOptions(ctx.host),
      runner: ctx.runner,
    })) as CrontabBackend);
  const write = async (text: string): Promise<void> => {
    const args = text === '' ? ['-r'] : ['-'];
    const r = await ctx.runner.run('crontab', args, text === '' ? {} : { input: text });
    if (r.exitCode !== 0) throw new ExternalCommandError(['crontab', ...args], r.exitCode, r.stderr);
  };
  return {
    scheduler: 'crontab',
    texts(sources) {
      if (scanned === undefined)
        throw new UserError('internal: the crontab was not read before the takeover');
      return { scanned, commented: commentOutLines(scanned, sources) };
    },
    async scan() {
      const found = await ctx.runner.run('sh', ['-c', 'command -v crontab']).catch(() => undefined);
      if (!found || found.exitCode !== 0) return { unavailable: "no 'crontab' command on PATH" };
      scanned = await (await open()).readCrontab();
      return scanCrontab(scanned, {
        homeDir: ctx.homeDir,
        hostTimezone: ctx.hostTimezone,
        defaultTimezone: ctx.defaultTimezone,
      });
    },
    async takeOver(sources, backupPath) {
      if (scanned === undefined)
        throw new UserError('internal: the crontab was not read before the takeover');
      const before = scanned;
      const next = commentOutLines(before, sources);
      await writePrivate(backupPath, before);
      const again = await (await open()).readCrontab();
      if (again !== before) {
        throw new UserError(
          'the crontab changed while sched was importing; nothing was written',
          'Run sched import again.',
        );
      }
      await write(next);
      return { backup: backupPath, count: sources.length, undo: () => write(before) };
    },
  };
}

async function writePrivate(file: string, text: string): Promise<void> {
  await ensureDirNoSymlink(path.dirname(file), 0o700, path.dirname(path.dirname(file)));
  await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
}

/** Which schedulers to look at on this platform. */
export function schedulersFor(platform: NodeJS.Platform): ImportScheduler[] {
  return importSchedulersFor(platform);
}

export interface ImportPorts {
  runner?: Runner;
  platform?: NodeJS.Platform;
  /** Readers by scheduler (tests); default: the real ones. */
  readers?: Partial<Record<ImportScheduler, ImportReader>>;
}

/** Foreign systemd user timers (enabled, not `sched-*`) through `systemctl --user`. */
function systemdReader(ctx: ScanContext): ImportReader {
  const systemctl = (...args: string[]) => ctx.runner.run('systemctl', ['--user', ...args]);
  return {
    scheduler: 'systemd',
    async scan() {
      const list = await systemctl(
        'list-unit-files',
        '--type=timer',
        '--state=enabled',
        '--no-legend',
        '--plain',
      ).catch(() => undefined);
      if (!list) return { unavailable: "no 'systemctl' command" };
      if (list.exitCode !== 0)
        return {
          unavailable: `the systemd user manager does not answer (${list.stderr.trim() || `exit ${list.exitCode}`})`,
        };
      const timers = list.stdout
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[0] ?? '')
        .filter((n) => n.endsWith('.timer') && !n.startsWith('sched-'));
      const scan: UnnamedScan = { proposals: [], refused: [] };
      for (const timer of timers) {
        const timerText = await systemctl('cat', timer);
        const unit =
          parseUnit(timerText.stdout).get('Timer.Unit')?.at(-1) ?? timer.replace(/\.timer$/, '.service');
        const serviceText = await systemctl('cat', unit);
        if (timerText.exitCode !== 0 || serviceText.exitCode !== 0) {
          scan.refused.push({
            source: { scheduler: 'systemd', where: `timer ${timer}`, original: timer, id: timer },
            reason: `cannot read it: ${(timerText.stderr || serviceText.stderr).trim()}`,
          });
          continue;
        }
        const r = convertSystemdTimer(timer, timerText.stdout, serviceText.stdout, ctx);
        if ('reason' in r) scan.refused.push(r);
        else scan.proposals.push(r);
      }
      return scan;
    },
    async takeOver(sources) {
      const done: string[] = [];
      for (const s of sources) {
        const r = await systemctl('disable', '--now', s.id!);
        if (r.exitCode !== 0)
          throw new ExternalCommandError(
            ['systemctl', '--user', 'disable', '--now', s.id!],
            r.exitCode,
            r.stderr,
          );
        done.push(s.id!);
      }
      return {
        count: done.length,
        undo: async () => {
          for (const id of done) await systemctl('enable', '--now', id);
        },
      };
    },
  };
}

/** Foreign launch agents (`~/Library/LaunchAgents`, labels not `dev.sched.*`). */
function launchdReader(ctx: ScanContext): ImportReader {
  const dir = path.join(ctx.homeDir, 'Library', 'LaunchAgents');
  const files = new Map<string, string>(); // label → file
  const uid = typeof process.getuid === 'function' ? process.getuid() : 501;
  return {
    scheduler: 'launchd',
    async scan() {
      const names = await readdir(dir).catch(() => undefined);
      if (!names) return { unavailable: `no ${dir}` };
      const { default: plist } = await import('plist');
      const scan: UnnamedScan = { proposals: [], refused: [] };
      for (const name of names.filter((n) => n.endsWith('.plist')).sort()) {
        const text = await readFile(path.join(dir, name), 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        const source = {
          scheduler: 'launchd' as const,
          where: `agent ${name}`,
          original: name,
          id: name.replace(/\.plist$/, ''),
        };
        if (!text.trimStart().startsWith('<')) {
          scan.refused.push({
            source,
            reason: `it is a binary plist; convert it with 'plutil -convert xml1 ${name}' and import again`,
          });
          continue;
        }
        let parsed: unknown;
        try {
          parsed = plist.parse(text);
        } catch (err) {
          scan.refused.push({ source, reason: `it does not parse: ${(err as Error).message}` });
          continue;
        }
        const label = (parsed as { Label?: unknown }).Label;
        if (typeof label === 'string' && label.startsWith('dev.sched.')) continue;
        const r = convertLaunchAgent(name, parsed, ctx);
        if (!r) continue;
        files.set(r.source.id!, path.join(dir, name));
        if ('reason' in r) scan.refused.push(r);
        else scan.proposals.push(r);
      }
      return scan;
    },
    async takeOver(sources) {
      const moved: [string, string][] = [];
      for (const s of sources) {
        // Not loaded is fine (exit 3 / 113 / "No such process"): the rename below keeps it from loading at login.
        await ctx.runner.run('launchctl', ['bootout', `gui/${uid}/${s.id}`]);
        const file = files.get(s.id!)!;
        await rename(file, `${file}.sched-imported`);
        moved.push([file, `${file}.sched-imported`]);
      }
      return {
        count: moved.length,
        undo: async () => {
          for (const [from, to] of moved) {
            await rename(to, from);
            await ctx.runner.run('launchctl', ['bootstrap', `gui/${uid}`, from]);
          }
        },
      };
    },
  };
}

/** Foreign scheduled tasks (outside `\\sched\\` and `\\Microsoft\\`), best effort, through `schtasks`. */
function windowsReader(ctx: ScanContext): ImportReader {
  const schtasks = (...args: string[]) => ctx.runner.run('schtasks', args);
  return {
    scheduler: 'windows',
    async scan() {
      const r = await schtasks('/Query', '/XML', 'ONE').catch(() => undefined);
      if (!r) return { unavailable: "no 'schtasks' command" };
      if (r.exitCode !== 0)
        return { unavailable: `schtasks /Query failed: ${(r.stderr || r.stdout).trim()}` };
      const { splitTasksDocument } = await import('../backends/windows/index.js');
      const scan: UnnamedScan = { proposals: [], refused: [] };
      for (const [taskPath, xml] of splitTasksDocument(r.stdout.replace(/^\uFEFF/, ''))) {
        if (/^\\(sched|Microsoft)\\/i.test(taskPath)) continue;
        const p = convertTask(taskPath, xml, ctx);
        if (!p) continue;
        if ('reason' in p) scan.refused.push(p);
        else scan.proposals.push(p);
      }
      return scan;
    },
    async takeOver(sources) {
      const done: string[] = [];
      for (const s of sources) {
        const r = await schtasks('/Change', '/TN', s.id!, '/DISABLE');
        if (r.exitCode !== 0)
          throw new ExternalCommandError(
            ['schtasks', '/Change', '/TN', s.id!, '/DISABLE'],
            r.exitCode,
            r.stderr || r.stdout,
          );
        done.push(s.id!);
      }
      return {
        count: done.length,
        undo: async () => {
          for (const id of done) await schtasks('/Change', '/TN', id, '/ENABLE');
        },
      };
    },
  };
}

/** Builds the reader of a scheduler; the pure converters live in src/backends/<name>/import.ts. */
async function readerFor(scheduler: ImportScheduler, ctx: ScanContext): Promise<ImportReader> {
  switch (scheduler) {
    case 'crontab':
      return crontabReader(ctx);
    case 'systemd':
      return systemdReader(ctx);
    case 'launchd':
      return launchdReader(ctx);
    case 'windows':
      return windowsReader(ctx);
    default:
      throw new UserError(
        `sched import cannot read ${scheduler}`,
        `use one of: ${importableBackends().join(', ')}`,
      );
  }
}

/** Takes every imported entry out of service, scheduler by scheduler; returns the undos. */
async function takeOverAll(
  readers: Map<ImportScheduler, ImportReader>,
  proposals: JobProposal[],
  host: HostSettings,
  stamp: string,
  written: NonNullable<ImportOutcome['written']>,
  skip: ImportScheduler[] = [],
): Promise<(() => Promise<void>)[]> {
  const undos: (() => Promise<void>)[] = [];
  try {
    for (const [scheduler, reader] of readers) {
      if (skip.includes(scheduler)) continue;
      const sources = proposals.filter((p) => p.source.scheduler === scheduler).map((p) => p.source);
      if (!sources.length || !reader.takeOver) continue;
      const backupPath = path.join(stateRoot(host.env), `import-backup-${stamp}.${scheduler}`);
      const done = await reader.takeOver(sources, backupPath);
      if (done.undo) undos.push(done.undo);
      if (scheduler === 'crontab') {
        written.commentedOut += done.count;
        written.backup = done.backup;
      } else {
        written.disabled.push(...sources.map((s) => s.id ?? s.where));
      }
    }
  } catch (err) {
    for (const undo of undos.reverse()) await undo().catch(() => undefined);
    throw err;
  }
  return undos;
}

/**
 * A Runner whose crontab reads show the imported lines already commented out: the crontab
 * backend's apply then writes sched's block and the commented lines in one write, so there is
 * no moment with both or neither. Refuses when the crontab is neither as scanned nor already
 * commented (someone edited it meanwhile). Speaks the backend's reads as they are: `crontab -l`
 * (escaped listing) and `crontab -e` with cat (exact text), in the encoding asked for.
 */
function commentingRunner(inner: Runner, scanned: string, commented: string): Runner {
  return {
    async run(command, args, options) {
      const result = await inner.run(command, args, options);
      const op = command === 'crontab' && args.length === 1 ? args[0] : undefined;
      if (op !== '-l' && op !== '-e') return result;
      const encoding = options?.encoding ?? 'utf8';
      const view = (t: string): string => (op === '-l' ? crontabListing(t) : t);
      const text = result.exitCode === 0 ? Buffer.from(result.stdout, encoding).toString('utf8') : '';
      if (text === view(scanned)) {
        const stdout = Buffer.from(view(commented), 'utf8').toString(encoding);
        return { ...result, exitCode: 0, stdout, stderr: '' };
      }
      if (text === view(commented)) return result;
      throw new UserError(
        'the crontab changed while sched was importing; nothing was written',
        'Run sched import again.',
      );
    },
  };
}

interface WriteAndApply {
  request: ImportRequest;
  host: HostSettings;
  file: string;
  temp: string;
  source: string | undefined;
  stamp: string;
  outcome: ImportOutcome;
  readers: Map<ImportScheduler, ImportReader>;
  written: NonNullable<ImportOutcome['written']>;
}

/**
 * `--write --apply`: writes the file, then applies the imported jobs. When they go to the
 * crontab, the crontab lines are commented out in the same write that installs sched's block;
 * otherwise the originals are taken out of service first (a gap of a moment, never a double
 * run). On failure the file and the host are put back.
 */
async function writeAndApply(w: WriteAndApply): Promise<void> {
  const { host, file, temp, source, outcome, readers, written } = w;
  const crontab = readers.get('crontab');
  const cronSources = outcome.proposals.filter((p) => p.source.scheduler === 'crontab').map((p) => p.source);
  const runner0 = host.runner ?? new NodeRunner();
  const texts = crontab?.texts && cronSources.length ? crontab.texts(cronSources) : undefined;
  const runner = texts ? commentingRunner(runner0, texts.scanned, texts.commented) : runner0;
  const applyHost: HostSettings = { ...host, runner };

  if (texts)
    await writePrivate(path.join(stateRoot(host.env), `import-backup-${w.stamp}.crontab`), texts.scanned);
  await rename(temp, file);
  const restoreFile = async () => {
    if (source === undefined) await rm(file, { force: true });
    else await writeFile(file, source);
  };
  let undos: (() => Promise<void>)[] = [];
  try {
    const { makePlan } = await import('./plan.js');
    const { executePlan } = await import('./apply.js');
    const planned = await makePlan({ file, targets: outcome.proposals.map((p) => p.name) }, applyHost);
    // Not into the crontab: take everything out of service first, then apply.
    const sameWrite = planned.backend.name === 'crontab' && texts !== undefined;
    undos = await takeOverAll(
      readers,
      outcome.proposals,
      applyHost,
      w.stamp,
      written,
      sameWrite ? ['crontab'] : [],
    );
    await executePlan(planned.plan, planned, applyHost);
    written.plan = planned.plan;
    if (texts) {
      written.backup = path.join(stateRoot(host.env), `import-backup-${w.stamp}.crontab`);
      written.commentedOut = cronSources.length;
      // The apply wrote the crontab (it always does for new entries); make sure of it.
      const now = await runner0.run('crontab', ['-l'], { env: { CRONTAB_NOHEADER: 'Y' } });
      if (
        now.exitCode === 0 &&
        now.stdout.split('\n').some((l) => cronSources.some((s) => l === s.original))
      ) {
        throw new UserError('internal: the imported crontab lines are still active after apply');
      }
    }
  } catch (err) {
    for (const undo of undos.reverse()) await undo().catch(() => undefined);
    // If the crontab write happened (sched's block in, originals commented), the file must keep
    // the jobs: restoring it would make the next apply delete them while the originals stay off.
    const now = texts
      ? await runner0.run('crontab', ['-l'], { env: { CRONTAB_NOHEADER: 'Y' } }).catch(() => undefined)
      : undefined;
    const crontabWritten = now !== undefined && now.exitCode === 0 && now.stdout !== texts?.scanned;
    if (!crontabWritten) await restoreFile().catch(() => undefined);
    throw err;
  }
}

export async function importJobs(
  request: ImportRequest,
  host: HostSettings,
  ports: ImportPorts = {},
): Promise<ImportOutcome> {
  const file = path.resolve(request.file);
  const source = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${request.file}: ${e.message}`);
  });
  const runner = ports.runner ?? host.runner ?? new NodeRunner();
  const ctx: ScanContext = {
    runner,
    host,
    homeDir: hostOptions(host).homeDir!,
    hostTimezone: hostZone(host).zone,
    defaultTimezone: defaultTimezone(source),
  };
  const schedulers = request.scheduler
    ? [request.scheduler]
    : schedulersFor(ports.platform ?? process.platform);

  const outcome: ImportOutcome = { scanned: [], skipped: [], proposals: [], refused: [], yaml: '' };
  const taken = existingJobNames(source);
  const readers = new Map<ImportScheduler, ImportReader>();
  for (const scheduler of schedulers) {
    const reader = ports.readers?.[scheduler] ?? (await readerFor(scheduler, ctx));
    const scan = await reader.scan();
    if ('unavailable' in scan) {
      outcome.skipped.push({ scheduler, reason: scan.unavailable });
      continue;
    }
    readers.set(scheduler, reader);
    outcome.scanned.push(scheduler);
    outcome.refused.push(...scan.refused);
    for (const p of scan.proposals) {
      const { nameHint, ...rest } = p;
      outcome.proposals.push({ ...rest, name: uniqueName(nameFromCommand(nameHint), taken) });
    }
  }
  outcome.yaml = outcome.proposals.length ? renderJobsBlock(outcome.proposals) : '';
  if (!request.write || outcome.proposals.length === 0) return outcome;

  // Validate the file as it will be, before touching anything.
  const next = appendJobs(source, outcome.proposals);
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.import-${randomBytes(4).toString('hex')}.tmp`,
  );
  await writeFile(temp, next, { mode: 0o644, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(
      `cannot write next to ${request.file}: ${e.code ?? e.message}`,
      'Check that its folder exists and is writable.',
    );
  });
  try {
    const loaded = await loadProject(temp, {
      now: host.now,
      displayName: request.file,
      hostTimezone: hostZone(host).zone,
      backendSettings: backendSettings(),
    });
    if (!loaded.project || hasErrors(loaded.diagnostics))
      throw new InvalidConfigError(loaded.diagnostics, next);

    const stamp = host.now.toISOString().replace(/[:.]/g, '-');
    const written: NonNullable<ImportOutcome['written']> = { file, commentedOut: 0, disabled: [] };
    const mode = source === undefined ? 0o644 : (await stat(file)).mode & 0o777;
    await chmod(temp, mode);
    if (request.apply) {
      await writeAndApply({ request, host, file, temp, source, stamp, outcome, readers, written });
    } else {
      const undos = await takeOverAll(readers, outcome.proposals, host, stamp, written);
      try {
        await rename(temp, file);
      } catch (err) {
        for (const undo of undos.reverse()) await undo().catch(() => undefined);
        throw err;
      }
    }
    outcome.written = written;
    return outcome;
  } finally {
    await rm(temp, { force: true });
  }
}
