/**
 * Run records of one job: `last-run.json` (the latest run, written at start and at end),
 * `history.jsonl` (one finished record per line, newest last), and `running/<id>.json` (one file
 * per active run; its mtime is the run's heartbeat). A running file whose process is gone, or
 * whose heartbeat is stale, is turned into an `interrupted` record by {@link RunStore.sweepInterrupted}.
 *
 * History is bounded: readers never return more than `historyLimit` records (default 1,000), and
 * the file is rewritten with only the newest `historyLimit` lines once it grows past
 * `historyLimit × 512` bytes — one stat per append, one rewrite every few hundred runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { jobStateDir } from './paths.js';
import {
  appendTextSync,
  createExclusiveSync,
  isDiskFull,
  ensureDirSync,
  mtimeSync,
  readJsonSync,
  readTextSync,
  removeSync,
  touchSync,
  writeAtomicSync,
} from './files.js';

export const RUN_RESULTS = [
  'ok',
  'failed',
  'timeout',
  'skipped',
  'interrupted',
  'missed',
  'replaced',
] as const;
/** How a run ended. */
export type RunResultKind = (typeof RUN_RESULTS)[number];

/** One run attempt (or a skipped/missed fire time), as stored in last-run.json and history.jsonl. */
export interface RunRecord {
  /** Unique id of the invocation; all attempts of one invocation share it. */
  id: string;
  project: string;
  job: string;
  /** ISO instant the attempt started (for `missed`: when the miss was detected). */
  start: string;
  /** ISO instant it ended; null while running. */
  end: string | null;
  duration_ms: number | null;
  exit_code: number | null;
  /** Signal name when the command was killed by one (`SIGTERM`…). */
  signal: string | null;
  /** `running` only in last-run.json / running files, never in history. */
  result: RunResultKind | 'running';
  /** 1 for the first attempt, 2 for the first retry… */
  attempt: number;
  /** `manual` (by hand), `catch-up`, or the backend that started it (`crontab`, `systemd`…). */
  trigger: string;
  /** pid of the `sched run` process that owns the run. */
  pid: number;
  /** Its start time (Linux clock ticks), to tell it from a later process that reuses the pid. */
  pid_start?: string;
  host: string;
  /** The fire time the run was started for, when known (ISO). */
  scheduled?: string;
  /** Why it was skipped / interrupted / missed, in words. */
  reason?: string;
  /** For `missed`: how many fire times were missed. */
  missed_count?: number;
  /** Process group of the command of a running attempt (its pid), to stop it if the wrapper dies. */
  pgid?: number;
  /** Start time of that process (Linux clock ticks), to tell it from a later process with the same pid. */
  pgid_start?: string;
}

export const DEFAULT_HISTORY_LIMIT = 1000;
/** Size of a running file: room for the final record of the run, reserved when it starts. */
export const RUNNING_FILE_BYTES = 4096;

/** A record as a running file holds it: JSON padded with spaces to {@link RUNNING_FILE_BYTES}. */
function padded(record: RunRecord): string {
  const json = JSON.stringify(record);
  const room = RUNNING_FILE_BYTES - 1 - Buffer.byteLength(json);
  return room > 0 ? json + ' '.repeat(room) + '\n' : json + '\n';
}

/**
 * The history could not be appended to (disk full), but the outcome is kept in the run's
 * running file, from which the next sweep moves it into the history.
 */
export class OutcomeKeptError extends Error {
  constructor(
    readonly record: RunRecord,
    readonly file: string,
    readonly failure: Error,
  ) {
    super(`the outcome of run ${record.id} is kept in ${file} until the history can be written`);
  }
}
/** A running record of another host whose heartbeat is older than this is interrupted. */
export const DEFAULT_STALE_MS = 2 * 60_000;
/** How often an active run refreshes its heartbeat. */
export const HEARTBEAT_MS = 30_000;

const LAST = 'last-run.json';
const HISTORY = 'history.jsonl';
const RUNNING = 'running';

export interface SweepContext {
  now: Date;
  host: string;
  /** Is this process (pid, and its recorded start time when known) still running on this host? */
  isAlive(pid: number, start?: string): boolean;
  staleMs?: number;
  /**
   * Called for an interrupted run of this host that recorded its command's process group:
   * stops what is left of it; resolves true when something was stopped.
   */
  reap?: (record: RunRecord) => Promise<boolean>;
}

// Liveness lives with the locks' (one answer for every lock and record): re-exported here for
// the callers that always imported it from the run records.
export { pidAlive, processStartTicks } from './liveness.js';

export class RunStore {
  readonly dir: string;
  constructor(
    readonly root: string,
    readonly project: string,
    readonly job: string,
    readonly historyLimit = DEFAULT_HISTORY_LIMIT,
  ) {
    this.dir = jobStateDir(root, project, job);
  }

  get logFile(): string {
    return path.join(this.dir, 'run.log');
  }

  ensure(): void {
    ensureDirSync(path.join(this.dir, RUNNING), path.dirname(this.root));
  }

  readLast(): RunRecord | undefined {
    return readJsonSync<RunRecord>(path.join(this.dir, LAST));
  }

  writeLast(record: RunRecord, durable = true): void {
    this.ensure();
    this.replaceLast(record, durable);
  }

  /** writeLast for a caller that made sure of the folders just before (one trust walk, not two). */
  private replaceLast(record: RunRecord, durable: boolean): void {
    writeAtomicSync(path.join(this.dir, LAST), JSON.stringify(record, null, 2) + '\n', undefined, durable);
  }

  /** Appends a finished record and trims the file when it has grown past its bound. */
  append(record: RunRecord): void {
    this.ensure();
    const file = path.join(this.dir, HISTORY);
    const size = appendTextSync(file, JSON.stringify(record) + '\n');
    if (size > this.historyLimit * 512) this.trim();
  }

  private trim(): void {
    const file = path.join(this.dir, HISTORY);
    const lines = (readTextSync(file) ?? '').split('\n').filter(Boolean);
    writeAtomicSync(file, lines.slice(-this.historyLimit).join('\n') + '\n');
  }

  /** Finished records, newest first, at most `n` (and never more than the history limit). */
  readHistory(n = this.historyLimit): RunRecord[] {
    const text = readTextSync(path.join(this.dir, HISTORY)) ?? '';
    const out: RunRecord[] = [];
    const lines = text.split('\n');
    const max = Math.min(n, this.historyLimit);
    for (let i = lines.length - 1; i >= 0 && out.length < max; i--) {
      const line = lines[i];
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as RunRecord);
      } catch {
        // A torn last line after a crash: skip it rather than fail the whole history.
      }
    }
    return out;
  }

  /** Records a run as active: its running file (the heartbeat) and last-run.json. */
  markRunning(record: RunRecord): void {
    this.ensure();
    // The running file must survive a power cut (it is how the run shows up as interrupted);
    // last-run.json is rewritten from it by the sweep if it did not. It is padded to
    // RUNNING_FILE_BYTES: the space of the final record, reserved now, so that the outcome can
    // be written over it in place even when the disk is full by the end of the run.
    writeAtomicSync(this.runningFile(record.id), padded(record));
    this.replaceLast(record, false);
  }

  /** Rewrites an active run's file (e.g. once its command's pid is known). */
  updateRunning(record: RunRecord): void {
    // In place, in the space reserved at start (no new block needed on a full disk). Not
    // fsync'd: after a power cut the processes it names are gone anyway.
    if (!this.overwriteRunning(record))
      writeAtomicSync(this.runningFile(record.id), padded(record), undefined, false);
  }

  /** Writes `record` over the running file's reserved space; false when that is not possible. */
  private overwriteRunning(record: RunRecord): boolean {
    const text = padded(record);
    let fd: number;
    try {
      fd = fs.openSync(this.runningFile(record.id), fs.constants.O_WRONLY | (fs.constants.O_NOFOLLOW ?? 0));
    } catch {
      return false;
    }
    try {
      if (fs.fstatSync(fd).size !== Buffer.byteLength(text)) return false;
      fs.writeSync(fd, text, 0);
      return true;
    } catch {
      return false;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The running record of an active run, if its file is there. */
  readRunning(id: string): RunRecord | undefined {
    return readJsonSync<RunRecord>(this.runningFile(id));
  }

  /**
   * Asks the active run `id` to give way to run `by` (`overlap: replace`): a marker its wrapper
   * reads when it stops, to record `replaced` rather than `interrupted`. True when this call
   * placed the marker (the caller then signals the run); false when the run is not active or
   * another run marked it first.
   */
  markReplaced(id: string, by: string): boolean {
    // Only while the run is active (its running file is there), and only once: the first
    // replacing run to mark it is the one that signals it.
    if (!fs.existsSync(this.runningFile(id))) return false;
    try {
      createExclusiveSync(this.replacedMarker(id), by + '\n');
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  }

  /** The run that replaced run `id`, if one asked it to give way. */
  replacedBy(id: string): string | undefined {
    return readTextSync(this.replacedMarker(id))?.trim() || undefined;
  }

  clearReplaced(id: string): void {
    removeSync(this.replacedMarker(id));
  }

  private replacedMarker(id: string): string {
    return path.join(this.dir, RUNNING, `${id}.replaced`);
  }

  heartbeat(id: string, now: Date): void {
    touchSync(this.runningFile(id), now);
  }

  /** Records a finished attempt: history, last-run.json, and the running file is dropped. */
  finish(record: RunRecord): void {
    // First where it needs no new space: the running file (a sweep moves it into the history
    // should the append below fail). Then the history; last-run.json may fail on its own.
    const kept = this.overwriteRunning(record);
    try {
      this.append(record);
    } catch (e) {
      if (kept) throw new OutcomeKeptError(record, this.runningFile(record.id), e as Error);
      throw e;
    }
    removeSync(this.runningFile(record.id));
    try {
      // The folders were made sure of by the append just before.
      this.replaceLast(record, true);
    } catch (e) {
      // Recorded in the history already; readers fall back to it (see services/history.ts).
      if (!isDiskFull(e)) throw e;
    }
  }

  /** Records an outcome that never ran (skipped, missed). */
  record(record: RunRecord): void {
    this.append(record);
    this.writeLast(record);
  }

  /** Active runs as recorded, with their heartbeat (mtime). */
  listRunning(): { record: RunRecord; heartbeat: Date; file: string }[] {
    const dir = path.join(this.dir, RUNNING);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    const out: { record: RunRecord; heartbeat: Date; file: string }[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(dir, name);
      const record = readJsonSync<RunRecord>(file);
      const heartbeat = mtimeSync(file);
      if (record && heartbeat) out.push({ record, heartbeat, file });
    }
    return out;
  }

  /**
   * Renames back running files a sweep claimed (`<id>.json.sweep-<pid>`) but could not finish
   * (it died, or the disk was full): the next sweep records them.
   */
  private recoverClaims(isAlive: (pid: number) => boolean): void {
    const dir = path.join(this.dir, RUNNING);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      // A replace marker of a run that has ended (its running file is gone).
      if (name.endsWith('.replaced') && !names.includes(name.replace(/\.replaced$/, '.json'))) {
        removeSync(path.join(dir, name));
        continue;
      }
      const m = /^(.+\.json)\.sweep-(\d+)$/.exec(name);
      if (!m || (Number(m[2]) !== process.pid && isAlive(Number(m[2])))) continue;
      try {
        fs.renameSync(path.join(dir, name), path.join(dir, m[1]!));
      } catch {
        // Another process recovered it first.
      }
    }
  }

  /**
   * What each running file stands for now, decided without changing anything: the record as
   * it is while its process lives; its final record when the wrapper wrote one there because
   * the history could not be appended to (disk full); else the `interrupted` record a sweep
   * would write. `gone` and `stale` say why a run is over.
   */
  private classify(
    ctx: SweepContext,
  ): { record: RunRecord; file: string; heartbeat: Date; over: boolean; outcome: RunRecord }[] {
    const staleMs = ctx.staleMs ?? DEFAULT_STALE_MS;
    return this.listRunning().map(({ record, heartbeat, file }) => {
      // On this host the process table is the truth (a heartbeat can be hours old after a
      // suspend, with the run alive and well); for another host only the heartbeat tells.
      const sameHost = record.host === ctx.host;
      const gone = sameHost && !ctx.isAlive(record.pid, record.pid_start);
      const stale = !sameHost && ctx.now.getTime() - heartbeat.getTime() > staleMs;
      const over = gone || stale;
      let outcome = record;
      if (over && record.result !== 'running') outcome = record;
      else if (over) outcome = interruptedRecord(record, heartbeat, gone);
      return { record, file, heartbeat, over, outcome };
    });
  }

  /**
   * The active runs as a reader should show them, changing nothing (no write, no signal): live
   * runs as `running`, runs whose process is gone as the record a sweep will write.
   */
  viewRunning(ctx: SweepContext): RunRecord[] {
    return this.classify(ctx).map((c) => c.outcome);
  }

  /**
   * Turns runs whose process died without recording an end into `interrupted` records: at once
   * when the pid is gone on this host, after a stale heartbeat otherwise (another host, or a
   * reused pid). A running file holding a final record (the wrapper could not append it to the
   * history: disk full) is moved into the history as it is. Safe to call from several processes:
   * each running file is claimed by a rename. Only the wrapper and the daemon call this: reads
   * use {@link viewRunning}.
   */
  async sweepInterrupted(ctx: SweepContext): Promise<RunRecord[]> {
    this.recoverClaims((pid) => ctx.isAlive(pid));
    const found: RunRecord[] = [];
    for (const { record, heartbeat, file, over } of this.classify(ctx)) {
      if (!over) continue;
      const claimed = `${file}.sweep-${process.pid}`;
      try {
        fs.renameSync(file, claimed);
      } catch {
        continue; // another process swept it first
      }
      let done: RunRecord;
      if (record.result !== 'running') {
        done = record;
      } else {
        const reaped =
          record.host === ctx.host && record.pgid !== undefined && ctx.reap ? await ctx.reap(record) : false;
        // The reap may have just ended the group: the watchdog touched the file at the job's end.
        const end = reaped ? (mtimeSync(claimed) ?? heartbeat) : heartbeat;
        done = interruptedRecord(record, end, record.host === ctx.host, reaped);
      }
      try {
        this.append(done);
        const last = this.readLast();
        // last-run.json shows this run unless a later one was recorded since.
        if (!last || last.id === record.id || Date.parse(last.start) <= Date.parse(record.start))
          this.writeLast(done);
      } catch (e) {
        // Not recorded (disk full?): give the file back for the next sweep.
        try {
          fs.renameSync(claimed, file);
        } catch {
          // recoverClaims will.
        }
        throw e;
      }
      removeSync(claimed);
      found.push(done);
    }
    return found;
  }

  /** The running file of run `id` (its mtime is the run's heartbeat). */
  runningFile(id: string): string {
    return path.join(this.dir, RUNNING, `${id}.json`);
  }
}

/**
 * The record of a run whose wrapper ended without recording an outcome. Its end is the last sign
 * of life of the run: the running file's mtime (heartbeat, or the watchdog's touch when it
 * stopped the job).
 */
export function interruptedRecord(
  record: RunRecord,
  lastSeen: Date,
  gone: boolean,
  reaped = false,
): RunRecord {
  const start = Date.parse(record.start);
  const end = lastSeen.getTime() > start ? lastSeen : new Date(record.start);
  return {
    ...record,
    end: end.toISOString(),
    duration_ms: end.getTime() - start,
    exit_code: null,
    signal: null,
    result: 'interrupted',
    reason:
      (gone
        ? `the sched run process (pid ${record.pid}) ended without recording an outcome`
        : `no heartbeat since ${lastSeen.toISOString()}`) +
      (reaped ? '; the processes it left were stopped' : ''),
  };
}
