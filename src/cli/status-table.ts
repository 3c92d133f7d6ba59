/**
 * The `sched status` table, as `systemctl list-timers` reads: times relative to now (LEFT,
 * PASSED), paused jobs labelled, problems marked with "!" (red on a TTY). It fits the terminal's
 * width by shortening the schedule text at a word boundary with "…" — a row is never wrapped —
 * and drift is spelled out below the table, where long reasons have room. `wide` shows every
 * column in full: absolute times (one format, in the display zone), duration, drift.
 */
import { formatElapsed } from '../config/duration.js';
import type { ProjectStatus, StatusRow } from '../services/status.js';
import { localFields } from '../schedule/zoned.js';

const BAD_RESULTS = new Set(['failed', 'timeout', 'interrupted', 'missed']);

export interface StatusTableOptions {
  color: boolean;
  /** "Now" for relative times (the status's own instant by default). */
  now?: Date;
  /** The zone absolute times are shown in (the host's). */
  zone: string;
  /** Columns to fit in; undefined: no limit. Ignored with `wide`. */
  width?: number;
  /** Every column, nothing shortened. */
  wide?: boolean;
}

/** A span as list-timers shows it, one or two units: `45s`, `12m`, `3h 5m`, `2d 4h`, `40d`. */
export function span(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 60) return `${s}s`;
  if (m < 60) return `${m}m`;
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  if (d < 7 && h % 24) return `${d}d ${h % 24}h`;
  return `${d}d`;
}

/** `in 3h` for a future instant, `2m ago` for a past one. */
export function relative(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  return ms >= 0 ? `in ${span(ms)}` : `${span(ms)} ago`;
}

/** The one absolute format of the table: `2026-03-02 09:00` in `zone`. */
export function absolute(iso: string, zone: string): string {
  const f = localFields(new Date(iso), zone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${f.year}-${p(f.month)}-${p(f.day)} ${p(f.hour)}:${p(f.minute)}`;
}

function needsAttention(row: StatusRow): boolean {
  return (
    (row.result !== null && BAD_RESULTS.has(row.result)) ||
    row.drift !== null ||
    row.state === 'missing' ||
    row.overdue !== null
  );
}

/** LEFT: when the host fires the job next, or why it does not. */
function left(row: StatusRow, now: Date): string {
  switch (row.state) {
    case 'paused':
      return 'paused';
    case 'missing':
      return 'not installed';
    case 'not_applied':
      return 'not applied';
    case 'scheduled':
      return row.next_run ? relative(row.next_run, now) : row.schedule_edited_by_hand ? 'unknown' : '-';
  }
}

function result(r: StatusRow): string {
  if (r.overdue !== null) return 'overdue';
  if (r.result === null) return '-';
  return r.exit_code !== null && r.result !== 'ok' ? `${r.result} (${r.exit_code})` : r.result;
}

function scheduleText(r: StatusRow): string {
  if (r.schedule_edited_by_hand) return r.schedule ? `${r.schedule} (edited by hand)` : '(edited by hand)';
  return r.schedule ?? r.file_schedule ?? '-';
}

/**
 * `text` shortened to `max` columns: whole words and "…"; a single word longer than that is cut.
 * One column per UTF-16 unit: schedule words and job names are ASCII.
 */
export function truncateWords(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  const room = max - 1;
  const cut = text.slice(0, room + 1).lastIndexOf(' ');
  const head = cut > 0 ? text.slice(0, cut) : text.slice(0, room);
  return head.replace(/[\s,;]+$/, '') + '…';
}

interface Column {
  header: string;
  cell: (r: StatusRow) => string;
  /** This column gives up width when the table is too wide (down to `min`). */
  shrink?: { min: number };
}

export function renderStatusTable(status: ProjectStatus, options: StatusTableOptions): string {
  const now = options.now ?? new Date(status.generated_at);
  const zone = options.zone;
  const abs = (iso: string | null, none: string) => (iso ? absolute(iso, zone) : none);
  const columns: Column[] = [
    { header: '', cell: (r) => (needsAttention(r) ? '!' : ' ') },
    { header: 'JOB', cell: (r) => r.job, shrink: { min: 10 } },
    ...(options.wide ? [{ header: 'BACKEND', cell: (r: StatusRow) => r.backend }] : []),
    { header: 'SCHEDULE', cell: scheduleText, shrink: { min: 10 } },
    ...(options.wide ? [{ header: 'NEXT RUN', cell: (r: StatusRow) => abs(r.next_run, '-') }] : []),
    { header: 'LEFT', cell: (r) => left(r, now) },
    ...(options.wide ? [{ header: 'LAST RUN', cell: (r: StatusRow) => abs(r.last_run, 'never') }] : []),
    { header: 'PASSED', cell: (r) => (r.last_run ? relative(r.last_run, now) : 'never') },
    { header: 'RESULT', cell: result },
    ...(options.wide
      ? [
          {
            header: 'DURATION',
            cell: (r: StatusRow) => (r.duration_ms === null ? '-' : formatElapsed(r.duration_ms)),
          },
          { header: 'DRIFT', cell: (r: StatusRow) => r.drift ?? '-' },
        ]
      : []),
  ];
  const cells = status.jobs.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const limit = options.wide ? undefined : options.width;
  if (limit !== undefined) fitWidths(columns, widths, limit);
  const line = (row: string[]) =>
    row
      .map((c, i) => truncateWords(c, widths[i]!).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();

  const out = [`Project ${status.project} on ${status.backend} (${status.backend_reason})`];
  if (status.installed_from) out.push(`Installed from ${status.installed_from}, not from ${status.file}.`);
  if (options.wide) out.push(`Times in ${zone}.`);
  for (const w of status.warnings) out.push(`Warning: ${w}`);
  out.push('', line(columns.map((c) => c.header)));
  status.jobs.forEach((r, i) => {
    const text = line(cells[i]!);
    out.push(options.color && needsAttention(r) ? `\u001b[31m${text}\u001b[0m` : text);
  });
  if (status.jobs.length === 0) out.push('(no jobs)');
  if (!options.wide) {
    const drifted = status.jobs.filter((r) => r.drift !== null);
    if (drifted.length) {
      out.push('');
      for (const r of drifted) out.push(`! ${r.job}: ${r.drift}`);
      out.push('`sched plan` shows what differs from the file; `sched apply` makes the host match it.');
    }
  }
  const overdue = status.jobs.filter((r) => r.overdue !== null);
  if (overdue.length) out.push('', ...overdue.map((r) => `! ${r.job} is overdue: ${r.overdue}`));
  return out.join('\n') + '\n';
}

/**
 * Narrows the shrinkable columns until the row fits `limit`: always the widest one, one column
 * at a time, so a long schedule and a long job name share the cut; none below its minimum (a
 * terminal narrower than all minimums gets rows longer than it, never a wrapped cell).
 */
function fitWidths(columns: readonly Column[], widths: number[], limit: number): void {
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const shrinkable = columns.flatMap((c, i) => (c.shrink ? [{ i, min: c.shrink.min }] : []));
  while (total() > limit) {
    const room = shrinkable.filter((c) => widths[c.i]! > c.min);
    if (room.length === 0) return;
    const widest = room.reduce((a, b) => (widths[b.i]! > widths[a.i]! ? b : a));
    widths[widest.i]! -= 1;
  }
}
