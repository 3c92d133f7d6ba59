/**
 * Golden tests of the `sched status` table (issue 17 item 9): relative LEFT / PASSED columns,
 * paused and missing jobs labelled, one absolute time format in --wide, and a fit to the
 * terminal's width that shortens the schedule text at a word boundary and never wraps a row.
 * The clock, the zone and the width are injected. UPDATE_GOLDEN=1 rewrites the files.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relative, renderStatusTable, span, truncateWords } from '../../src/cli/status-table.js';
import type { ProjectStatus, StatusRow } from '../../src/services/status.js';
import { expectGolden } from '../helpers/golden.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'status');
const NOW = new Date('2026-03-02T10:00:00Z');

function row(job: string, fields: Partial<StatusRow>): StatusRow {
  return {
    job,
    backend: 'crontab',
    state: 'scheduled',
    schedule: null,
    schedule_edited_by_hand: false,
    file_schedule: null,
    timezone: 'Europe/Paris',
    next_run: null,
    last_run: null,
    result: null,
    exit_code: null,
    overdue: null,
    duration_ms: null,
    drift: null,
    clock_changes_until: null,
    ...fields,
  };
}

const STATUS: ProjectStatus = {
  format_version: 1,
  project: 'billing',
  backend: 'crontab',
  backend_reason: 'set in schedules.yaml',
  file: '/home/me/billing/schedules.yaml',
  installed_from: null,
  generated_at: NOW.toISOString(),
  warnings: [],
  jobs: [
    row('cleanup', {
      state: 'paused',
      schedule: 'At 03:00, only on Sunday',
      file_schedule: 'At 03:00, only on Sunday',
      last_run: '2026-02-27T02:00:00.000Z',
      result: 'ok',
      exit_code: 0,
      duration_ms: 1200,
    }),
    row('hourly-sync', {
      schedule: 'At minute 15 past every hour, between 08:00 and 18:59, Monday through Friday',
      file_schedule: 'At minute 15 past every hour, between 08:00 and 18:59, Monday through Friday',
      next_run: '2026-03-02T10:15:00.000Z',
      last_run: '2026-03-02T09:58:00.000Z',
      result: 'failed',
      exit_code: 3,
      duration_ms: 95_000,
    }),
    row('nightly-report-for-the-finance-team', {
      schedule: 'At 10:00',
      schedule_edited_by_hand: true,
      file_schedule: 'At 09:00',
      next_run: '2026-03-03T09:00:00.000Z',
      last_run: '2026-03-01T08:00:05.000Z',
      result: 'ok',
      exit_code: 0,
      duration_ms: 4_000_000,
      drift: 'edited by hand',
    }),
    row('quarterly', {
      state: 'missing',
      schedule: 'At 00:00, on day 1 of the month, every 3 months',
      file_schedule: 'At 00:00, on day 1 of the month, every 3 months',
      drift: 'missing',
    }),
    row('weekly-digest', {
      state: 'not_applied',
      timezone: null,
      file_schedule: 'At 08:00, only on Monday',
      drift: 'new',
    }),
  ],
};

const golden = (name: string, text: string) => expectGolden(path.join(GOLDEN, name), text);

describe('status table', () => {
  it('fits 80 columns: schedule shortened at a word boundary, relative times, drift below', () => {
    const text = renderStatusTable(STATUS, { color: false, zone: 'Europe/Paris', width: 80, now: NOW });
    golden('default-80.txt', text);
    for (const line of text.split('\n')) {
      if (line.startsWith('! ') || line.startsWith('`')) continue; // sentences below the table
      expect(line.length, line).toBeLessThanOrEqual(80);
    }
    expect(text).toContain('in 15m');
    expect(text).toContain('2m ago');
    expect(text).toMatch(/cleanup +At 03:00, only on… +paused/);
    expect(text).not.toMatch(/\w…\w/); // never a cut inside the text
  });

  it('fits a 64-column terminal too', () => {
    const text = renderStatusTable(STATUS, { color: false, zone: 'Europe/Paris', width: 64, now: NOW });
    golden('narrow-64.txt', text);
    const table = text.split('\n\n')[1]!.split('\n');
    for (const line of table) expect(line.length, line).toBeLessThanOrEqual(64);
  });

  it('shows every column in full with --wide, absolute times in one format and zone', () => {
    const text = renderStatusTable(STATUS, {
      color: false,
      zone: 'Europe/Paris',
      width: 80,
      wide: true,
      now: NOW,
    });
    golden('wide.txt', text);
    expect(text).toContain('Times in Europe/Paris.');
    expect(text).toContain('2026-03-02 11:15'); // 10:15Z in Paris
    expect(text).toContain(STATUS.jobs[1]!.schedule!);
  });

  it('says when the project is installed from another checkout', () => {
    const text = renderStatusTable(
      { ...STATUS, installed_from: '/srv/old/schedules.yaml', jobs: [] },
      { color: false, zone: 'UTC', width: 80, now: NOW },
    );
    expect(text).toContain(
      'Installed from /srv/old/schedules.yaml, not from /home/me/billing/schedules.yaml.',
    );
  });
});

describe('status table pieces', () => {
  it('spans like list-timers, one or two units', () => {
    expect([45e3, 12 * 60e3, 3 * 3600e3, 3 * 3600e3 + 5 * 60e3, 52 * 3600e3, 40 * 86400e3].map(span)).toEqual(
      ['45s', '12m', '3h', '3h 5m', '2d 4h', '40d'],
    );
    expect(relative('2026-03-02T13:00:00Z', NOW)).toBe('in 3h');
    expect(relative('2026-03-02T09:58:00Z', NOW)).toBe('2m ago');
  });

  it('truncates at a word boundary with an ellipsis', () => {
    expect(truncateWords('At minute 15 past every hour', 14)).toBe('At minute 15…');
    expect(truncateWords('At 03:00, only on Sunday', 12)).toBe('At 03:00…');
    expect(truncateWords('short', 12)).toBe('short');
    expect(truncateWords('nightly-report-for-the-finance-team', 12)).toBe('nightly-rep…');
  });
});
