/**
 * How `apply` and `destroy` show their progress on stderr, from the service's progress events.
 *
 * - Always: one line per finished phase (`  state: 200 changes on state`), as before.
 * - More than {@link PROGRESS_THRESHOLD} changes on a terminal: one line that updates in place —
 *   count, percent and the current job — redrawn at most every {@link REDRAW_MS} and cleared
 *   before any other line and at the end, so the terminal keeps only the phase lines.
 * - More than the threshold, not a terminal (a CI log): a plain line at every tenth of the way,
 *   so a long apply shows it is alive without a line per job.
 * - `--json`: the caller passes no display at all.
 */
import type { ApplyProgressEvent } from '../services/apply.js';

/** Changes above which an apply shows its progress. */
export const PROGRESS_THRESHOLD = 50;
/** The in-place line is redrawn at most this often. */
export const REDRAW_MS = 100;

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ApplyProgressDisplay {
  (event: ApplyProgressEvent): void;
  /** Clears the in-place line (call when the apply ends, also on failure). */
  finish(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

function phaseLine(e: ApplyProgressEvent): string {
  return `  ${e.phase}: ${e.count} change${e.count === 1 ? '' : 's'} on ${e.target}\n`;
}

/** A display for `stream` (stderr); `now` for tests. */
export function applyProgressDisplay(
  stream: ProgressStream,
  now: () => number = Date.now,
): ApplyProgressDisplay {
  let drawn = false;
  let lastDraw = -Infinity;
  let lastTenth = 0;
  const clear = () => {
    if (drawn) stream.write(CLEAR_LINE);
    drawn = false;
  };
  const display = ((e: ApplyProgressEvent) => {
    const large = e.total > PROGRESS_THRESHOLD;
    if (e.phaseDone) {
      clear();
      stream.write(phaseLine(e));
    }
    if (!large) return;
    const percent = Math.floor((e.done / e.total) * 100);
    if (stream.isTTY) {
      if (e.done >= e.total) return clear();
      if (now() - lastDraw < REDRAW_MS) return;
      lastDraw = now();
      const current = e.job ? `: ${e.phase} ${e.job}` : `: ${e.phase} on ${e.target}`;
      let line = `  ${e.done}/${e.total} changes (${percent}%)${current}`;
      const width = (stream.columns ?? 80) - 1;
      if (line.length > width) line = line.slice(0, Math.max(0, width - 1)) + '…';
      stream.write(`${CLEAR_LINE}${line}`);
      drawn = true;
      return;
    }
    const tenth = Math.floor((e.done / e.total) * 10);
    if (tenth > lastTenth && e.done < e.total) {
      lastTenth = tenth;
      stream.write(`  progress: ${e.done}/${e.total} changes (${percent}%)${e.job ? `, at ${e.job}` : ''}\n`);
    }
  }) as ApplyProgressDisplay;
  display.finish = clear;
  return display;
}
