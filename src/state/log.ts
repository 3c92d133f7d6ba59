/**
 * A job's log, `run.log`, with size-based rotation: when it passes `maxBytes` (default 1 MiB)
 * it becomes `run.log.1`, `run.log.1` becomes `run.log.2`… and only `keep` (default 3) rotated
 * files are kept — at most about 4 MiB per job. Each line is
 * `<ISO instant> <stream> <text>` where stream is `out`, `err` or `sched` (the wrapper's own lines).
 */
import fs from 'node:fs';
import { isoTime } from '../model/iso-time.js';
import { openAppendSync, readTextSync } from './files.js';

export const DEFAULT_LOG_MAX_BYTES = 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;
/**
 * The longest line the log holds (UTF-8 bytes of its text): longer output is split into lines of
 * at most this size, so memory and each log file stay bounded whatever a job writes.
 */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

export type LogStream = 'out' | 'err' | 'sched';

export interface RunLogOptions {
  maxBytes?: number;
  keep?: number;
  now?: () => Date;
  /** Told once when a write fails (disk full…): from then on lines are counted, not written. */
  onWriteError?: (e: Error) => void;
}

export class RunLog {
  private fd: number | undefined;
  private size = 0;
  readonly maxBytes: number;
  readonly keep: number;
  private readonly now: () => Date;
  private readonly onWriteError?: (e: Error) => void;
  /** Lines lost to a failed write since the last one that succeeded. */
  private dropped = 0;

  constructor(
    readonly file: string,
    options: RunLogOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    this.keep = options.keep ?? DEFAULT_LOG_KEEP;
    this.now = options.now ?? (() => new Date());
    this.onWriteError = options.onWriteError;
  }

  private open(): number {
    if (this.fd === undefined) {
      this.fd = openAppendSync(this.file);
      this.size = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }

  /** Writes one line (a trailing newline is added; inner newlines become separate lines). */
  line(stream: LogStream, text: string, when: Date = this.now()): void {
    const stamp = isoTime(when);
    let body = text
      .split('\n')
      .map((l) => `${stamp} ${stream} ${l}\n`)
      .join('');
    if (this.dropped)
      body = `${stamp} sched ${this.dropped} log line(s) lost: the log could not be written (disk full?)\n${body}`;
    try {
      const fd = this.open();
      fs.writeSync(fd, body);
    } catch (e) {
      // The log must never end the run (a full disk): count what is lost, say so once.
      if (this.dropped++ === 0) this.onWriteError?.(e as Error);
      return;
    }
    this.dropped = 0;
    this.size += Buffer.byteLength(body);
    if (this.size > this.maxBytes) this.rotate();
  }

  /** Rotates now: run.log → run.log.1 → … → run.log.<keep>, dropping the oldest. */
  rotate(): void {
    this.close();
    for (let i = this.keep; i >= 1; i--) {
      const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
      try {
        fs.renameSync(from, `${this.file}.${i}`);
      } catch {
        // Missing generation: nothing to move.
      }
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Nothing more can be done about a log that cannot be closed.
      }
      this.fd = undefined;
    }
  }
}

/**
 * The last `n` lines of a job's log, reading older rotated files only when run.log has fewer
 * than `n` lines.
 */
export function tailLog(file: string, n: number, keep = DEFAULT_LOG_KEEP): string[] {
  const lines: string[] = [];
  for (let i = 0; i <= keep && lines.length < n; i++) {
    const name = i === 0 ? file : `${file}.${i}`;
    let text: string;
    try {
      const t = readTextSync(name);
      if (t === undefined) continue;
      text = t;
    } catch {
      continue;
    }
    const own = text.split('\n');
    if (own[own.length - 1] === '') own.pop();
    lines.unshift(...own.slice(-(n - lines.length)));
  }
  return lines.slice(-n);
}
