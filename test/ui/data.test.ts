/** The dashboard's pure pieces: the status a row is shown with, log lines, the Host values accepted. */
import { describe, expect, it } from 'vitest';
import { parseLogLine, uiStatus } from '../../src/ui/data.js';
import { allowedHosts } from '../../src/ui/server.js';
import type { StatusRow } from '../../src/services/status.js';

const row = (over: Partial<StatusRow>): StatusRow => ({
  job: 'j',
  backend: 'crontab',
  state: 'scheduled',
  schedule: 'At 02:00',
  schedule_edited_by_hand: false,
  file_schedule: 'At 02:00',
  timezone: 'UTC',
  next_run: '2026-01-01T02:00:00.000Z',
  last_run: null,
  result: null,
  exit_code: null,
  duration_ms: null,
  drift: null,
  overdue: null,
  clock_changes_until: null,
  ...over,
});

describe('uiStatus', () => {
  it('shows the most urgent of running, failed, overdue, drift, paused, ok', () => {
    expect(uiStatus(row({}))).toBe('ok');
    expect(uiStatus(row({ result: 'ok' }))).toBe('ok');
    expect(uiStatus(row({ result: 'skipped' }))).toBe('ok');
    for (const r of ['failed', 'timeout', 'interrupted', 'missed'] as const)
      expect(uiStatus(row({ result: r, overdue: 'expected 02:00' })), r).toBe('failed');
    expect(uiStatus(row({ result: 'running', overdue: 'x', drift: 'missing' }))).toBe('running');
    expect(uiStatus(row({ result: 'ok', overdue: 'expected 02:00, nothing recorded' }))).toBe('overdue');
    expect(uiStatus(row({ drift: 'edited by hand' }))).toBe('drift');
    expect(uiStatus(row({ state: 'missing' }))).toBe('drift');
    expect(uiStatus(row({ state: 'not_applied' }))).toBe('drift');
    expect(uiStatus(row({ state: 'paused', next_run: null }))).toBe('paused');
    // Paused in the file but not applied yet: the host still fires it.
    expect(uiStatus(row({ drift: 'paused' }))).toBe('drift');
  });
});

describe('parseLogLine', () => {
  it('splits the instant, the stream and the text (which may hold spaces and look like a stream)', () => {
    expect(parseLogLine('2026-01-01T02:00:00.000Z out hello  world')).toEqual({
      time: '2026-01-01T02:00:00.000Z',
      stream: 'out',
      text: 'hello  world',
    });
    expect(parseLogLine('2026-01-01T02:00:00.000Z err err out')).toMatchObject({
      stream: 'err',
      text: 'err out',
    });
    expect(parseLogLine('2026-01-01T02:00:00.000Z sched ')).toMatchObject({ stream: 'sched', text: '' });
  });
  it('shows a line of another shape whole', () => {
    expect(parseLogLine('garbage line')).toEqual({ time: '', stream: 'out', text: 'garbage line' });
  });
});

describe('allowedHosts', () => {
  it('is the bound address and port, plus localhost on loopback', () => {
    expect([...allowedHosts('127.0.0.1', 8080)]).toEqual(['127.0.0.1:8080', 'localhost:8080']);
    expect([...allowedHosts('::1', 8080)]).toEqual(['[::1]:8080', 'localhost:8080']);
    expect([...allowedHosts('192.168.1.5', 80)]).toEqual(['192.168.1.5:80']);
  });
});
