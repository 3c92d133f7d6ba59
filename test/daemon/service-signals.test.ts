/**
 * `runDaemon` takes its stop and reload signals from its caller (the `daemon` command passes the
 * process's): SIGTERM stops it and releases the state dir, and no listener is left behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDaemonLock } from '../../src/daemon/lock.js';
import { runDaemon } from '../../src/services/daemon.js';
import { FakeSignals } from '../fakes/signals.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sched-daemon-signals-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runDaemon and its signal source', () => {
  it('SIGHUP keeps it running, SIGTERM stops it; afterwards nothing listens and the lock is free', async () => {
    const signals = new FakeSignals();
    const lines: string[] = [];
    const events = () => lines.map((l) => (JSON.parse(l) as { event: string }).event);
    const daemon = runDaemon({
      stateRoot: tmp,
      json: true,
      graceMs: 1_000,
      write: (line) => lines.push(line),
      signals,
      env: {},
    });
    await waitFor(() => events().includes('started'), 'the started event');
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) expect(signals.listening(sig)).toBe(1);

    expect(signals.send('SIGHUP')).toBe(true);
    expect(signals.send('SIGTERM')).toBe(true);
    await daemon;
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ event: 'stopping', signal: 'SIGTERM' }),
    );
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) expect(signals.listening(sig)).toBe(0);
    // Stopped for good: another daemon may take the state dir.
    const lock = await acquireDaemonLock(tmp, null);
    await lock.release();
  });
});
