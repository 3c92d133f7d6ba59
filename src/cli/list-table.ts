/** The `sched list` table: one line per installed project; the source file last, never cut. */
import type { ProjectList } from '../services/list.js';

export function renderProjectList(list: ProjectList): string {
  if (list.projects.length === 0)
    return `No project is installed for this user (state in ${list.state_dir}).\n`;
  const header = ['PROJECT', 'BACKEND', 'JOBS', 'SOURCE'];
  const rows = list.projects.map((p) => [
    p.project,
    p.backends.join(','),
    p.paused ? `${p.jobs} (${p.paused} paused)` : String(p.jobs),
    (p.source_file ?? '(unknown)') +
      (p.source_file && !p.source_exists ? ' (gone)' : '') +
      (p.other_sources.length ? ` (also ${p.other_sources.join(', ')})` : ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  if (list.projects.some((p) => !p.source_exists)) {
    out.push(
      '',
      'A project whose file is gone: `sched status --project NAME` shows it, `sched destroy --project NAME` removes it.',
    );
  }
  return out.join('\n') + '\n';
}
