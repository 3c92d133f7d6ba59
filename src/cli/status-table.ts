/** The `sched status` table: aligned columns, problems marked with "!" (and red on a TTY). */
import type { ProjectStatus, StatusRow } from '../services/status.js';

const BAD_RESULTS = new Set(['failed', 'timeout', 'interrupted', 'missed']);

function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

function needsAttention(row: StatusRow): boolean {
  return (row.result !== null && BAD_RESULTS.has(row.result)) || row.drift !== null || row.overdue !== null;
}

export function renderStatusTable(status: ProjectStatus, color: boolean): string {
  const header = ['', 'JOB', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'RESULT', 'DURATION', 'DRIFT'];
  const rows = status.jobs.map((r) => [
    needsAttention(r) ? '!' : ' ',
    r.job,
    r.schedule ?? '-',
    r.next_run ?? '-',
    r.last_run ?? 'never',
    r.overdue !== null
      ? 'overdue'
      : r.result === null
        ? '-'
        : r.exit_code !== null && r.result !== 'ok'
          ? `${r.result} (${r.exit_code})`
          : r.result,
    duration(r.duration_ms),
    r.drift ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [`Project ${status.project} on ${status.backend} (${status.backendReason})`];
  for (const w of status.warnings) out.push(`Warning: ${w}`);
  out.push('', line(header));
  status.jobs.forEach((r, i) => {
    const text = line(rows[i]!);
    out.push(color && needsAttention(r) ? `\u001b[31m${text}\u001b[0m` : text);
  });
  if (status.jobs.length === 0) out.push('(no jobs)');
  const overdue = status.jobs.filter((r) => r.overdue !== null);
  if (overdue.length) out.push('', ...overdue.map((r) => `! ${r.job} is overdue: ${r.overdue}`));
  return out.join('\n') + '\n';
}
