import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive, processStartTicks, RunStore, type RunRecord } from '../../src/state/runs.js';
import { tempDir } from '../run/helpers.js';

function rec(i: number, over: Partial<RunRecord> = {}): RunRecord {
  const start = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
  return {
    id: `r${i}`,
    project: 'p',
    job: 'j',
    start,
    end: start,
    duration_ms: 0,
    exit_code: 0,
    signal: null,
    result: 'ok',
    attempt: 1,
    trigger: 'manual',
    pid: 1,
    host: 'h',
    ...over,
  };
}

describe('RunStore', () => {
  it('returns history newest first and keeps it bounded', () => {
    const store = new RunStore(tempDir(), 'p', 'j', 10);
    for (let i = 0; i < 60; i++) store.append(rec(i));
    const all = store.readHistory();
    expect(all).toHaveLength(10);
    expect(all.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, k) => `r${59 - k}`));
    expect(store.readHistory(3).map((r) => r.id)).toEqual(['r59', 'r58', 'r57']);
    // The file itself is trimmed once it passes limit × 512 bytes.
    const lines = fs.readFileSync(path.join(store.dir, 'history.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual((10 * 512) / 200);
  });

  it('skips a torn last line after a crash', () => {
    const store = new RunStore(tempDir(), 'p', 'j');
    store.append(rec(1));
    fs.appendFileSync(path.join(store.dir, 'history.jsonl'), '{"id":"r2","sta');
    expect(store.readHistory().map((r) => r.id)).toEqual(['r1']);
  });

  const running = (pid: number, host = 'h') =>
    rec(5, { end: null, duration_ms: null, exit_code: null, result: 'running', pid, host });

  it('turns a run whose pid is gone on this host into interrupted', async () => {
    const store = new RunStore(tempDir(), 'p', 'j');
    store.markRunning(running(4242));
    const found = await store.sweepInterrupted({ now: new Date(), host: 'h', isAlive: () => false });
    expect(found).toHaveLength(1);
    expect(store.readLast()?.result).toBe('interrupted');
    expect(store.readHistory()[0]?.result).toBe('interrupted');
    expect(store.listRunning()).toEqual([]);
    // A second look finds nothing more.
    expect(await store.sweepInterrupted({ now: new Date(), host: 'h', isAlive: () => false })).toEqual([]);
  });

  it('leaves a live run of another host alone until its heartbeat is stale', async () => {
    const store = new RunStore(tempDir(), 'p', 'j');
    store.markRunning(running(4242, 'other-host'));
    const now = new Date();
    expect(await store.sweepInterrupted({ now, host: 'h', isAlive: () => false })).toEqual([]);
    expect(store.readLast()?.result).toBe('running');
    const later = new Date(now.getTime() + 3 * 60_000);
    expect(
      await store.sweepInterrupted({ now: later, host: 'h', isAlive: () => true, staleMs: 120_000 }),
    ).toHaveLength(1);
    expect(store.readLast()?.result).toBe('interrupted');
    expect(store.readLast()?.reason).toMatch(/heartbeat/);
  });

  it('on this host trusts the process table, not the heartbeat (a suspended machine has old heartbeats)', async () => {
    const store = new RunStore(tempDir(), 'p', 'j');
    store.markRunning(running(process.pid));
    const muchLater = new Date(Date.now() + 8 * 3600_000);
    expect(await store.sweepInterrupted({ now: muchLater, host: 'h', isAlive: () => true })).toEqual([]);
    expect(store.readLast()?.result).toBe('running');
  });

  it.skipIf(process.platform !== 'linux')(
    'tells a reused pid from the recorded process by its start time',
    async () => {
      expect(pidAlive(process.pid)).toBe(true);
      expect(pidAlive(process.pid, processStartTicks(process.pid))).toBe(true);
      expect(pidAlive(process.pid, 'not-its-start-time')).toBe(false);
      expect(pidAlive(999_999_999)).toBe(false);
      const store = new RunStore(tempDir(), 'p', 'j');
      store.markRunning({ ...running(process.pid), pid_start: '1' });
      expect(await store.sweepInterrupted({ now: new Date(), host: 'h', isAlive: pidAlive })).toHaveLength(1);
    },
  );
});
