/**
 * Issue 12.17: `retries.delay: 99999999d` was accepted and overflowed Node's timer to 1 ms (a
 * retry storm instead of a wait). Durations are capped at a documented maximum with an error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DURATION_SECONDS } from '../../src/config/duration.js';
import { loadProject } from '../../src/config/load.js';

async function durationErrors(key: string, value: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-duration-'));
  const file = path.join(dir, 'schedules.yaml');
  const setting =
    key === 'delay' ? `    retries:\n      max: 1\n      delay: ${value}` : `    ${key}: ${value}`;
  writeFileSync(
    file,
    `version: 1\nproject: d\njobs:\n  j:\n    schedule: day\n    command: ["true"]\n${setting}\n`,
  );
  const { diagnostics } = await loadProject(file, { displayName: 'schedules.yaml', checkFilesystem: false });
  return diagnostics.filter((d) => d.code === 'bad-duration').map((d) => `${d.line}:${d.col} ${d.message}`);
}

describe('durations have a maximum', () => {
  it('is 24 days, below what a Node timer can hold', () => {
    expect(MAX_DURATION_SECONDS * 1000).toBeLessThan(2 ** 31 - 1);
  });

  it.each([
    ['delay', '99999999d', 14],
    ['timeout', '25d', 14],
    ['jitter', '24d1s', 13],
  ])('%s: %s is refused where it is, naming the maximum', async (key, value, col) => {
    const line = key === 'delay' ? 9 : 7;
    expect(await durationErrors(key, value)).toEqual([
      `${line}:${col} ${key === 'delay' ? 'retries.delay' : key} in job 'j' '${value}' is too long: at most 24d`,
    ]);
  });

  it('24d itself is accepted', async () => {
    expect(await durationErrors('delay', '24d')).toEqual([]);
    expect(await durationErrors('timeout', '576h')).toEqual([]);
  });
});
