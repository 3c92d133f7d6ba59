/**
 * `sched logs JOB -f` may run for hours: each poll must leave nothing behind (no abort listener
 * per cycle, no MaxListenersExceededWarning), and the follow must still see every appended line.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { followLog } from '../../src/services/history.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sched-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves when `check` holds, polling; fails after a generous deadline. */
async function until(check: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('followLog', () => {
  it('keeps one abort listener at most over hundreds of poll cycles, and warns about nothing', async () => {
    const file = path.join(dir, 'run.log');
    writeFileSync(file, '');
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const controller = new AbortController();
    let seen = '';
    const listenerCounts: number[] = [];
    // pollMs 1: hundreds of cycles in well under a second of idle time; each line appended only
    // after the previous one was seen, so every cycle count below is at least the line count.
    const follow = followLog(file, (t) => (seen += t), controller.signal, 1);
    const cycles = 300;
    try {
      for (let i = 0; i < cycles; i++) {
        appendFileSync(file, `line ${i}\n`);
        await until(() => seen.endsWith(`line ${i}\n`), `line ${i}`);
        listenerCounts.push(getEventListeners(controller.signal, 'abort').length);
      }
    } finally {
      controller.abort();
      await follow;
      process.off('warning', onWarning);
    }
    expect(seen.split('\n').filter(Boolean)).toHaveLength(cycles);
    expect(Math.max(...listenerCounts)).toBeLessThanOrEqual(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('ends promptly when aborted mid-wait', async () => {
    const file = path.join(dir, 'idle.log');
    const controller = new AbortController();
    // An hour between polls: only the abort can end the wait.
    const follow = followLog(file, () => {}, controller.signal, 3_600_000);
    controller.abort();
    await expect(follow).resolves.toBeUndefined();
  });
});
