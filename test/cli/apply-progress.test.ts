/**
 * The apply/destroy progress display (src/cli/apply-progress.ts) against golden files in
 * test/golden/progress/: the same events (a 120-job apply: specs, one crontab write, 5
 * removals) on a terminal and in a log. The clock is a counter, so redraws are deterministic.
 * UPDATE_GOLDEN=1 rewrites the files.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyProgressDisplay, PROGRESS_THRESHOLD } from '../../src/cli/apply-progress.js';
import type { ApplyProgressEvent } from '../../src/services/apply.js';

const GOLDEN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden/progress');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The events of an apply writing `writes` specs, one backend batch, then `removals` spec removals. */
function events(writes: number, backendChanges: number, removals: number): ApplyProgressEvent[] {
  const total = writes + backendChanges + removals;
  const out: ApplyProgressEvent[] = [];
  let done = 0;
  for (let i = 0; i < writes; i++)
    out.push({
      phase: 'state',
      target: 'state',
      count: i + 1,
      job: `job-${String(i).padStart(3, '0')}`,
      done: ++done,
      total,
      phaseDone: i === writes - 1,
    });
  done += backendChanges;
  out.push({ phase: 'backend', target: 'crontab', count: backendChanges, done, total, phaseDone: true });
  for (let i = 0; i < removals; i++)
    out.push({
      phase: 'cleanup',
      target: 'state',
      count: i + 1,
      job: `old-${i}`,
      done: ++done,
      total,
      phaseDone: i === removals - 1,
    });
  return out;
}

function run(isTTY: boolean, list: ApplyProgressEvent[]): string {
  let text = '';
  let clock = 0;
  const display = applyProgressDisplay(
    { isTTY, columns: 60, write: (t: string) => (text += t) },
    () => (clock += 25), // every event 25 ms after the last: a redraw every 4th
  );
  for (const e of list) display(e);
  display.finish();
  return text;
}

/** The terminal's control sequences, made visible for the golden file. */
// eslint-disable-next-line no-control-regex
const visible = (text: string) => text.replace(/\r\u001b\[2K/g, '<clear>').replace(/<clear>/g, '\n<clear>');

async function golden(name: string, text: string): Promise<void> {
  const file = path.join(GOLDEN, name);
  if (UPDATE) await writeFile(file, text);
  expect(text).toBe(await readFile(file, 'utf8'));
}

describe('apply progress display', () => {
  const large = events(120, 121, 5);

  it('on a terminal: one line updated in place, cleared before each phase line and at the end', async () => {
    const text = run(true, large);
    await golden('terminal.txt', visible(text));
    // What stays on the screen once every <clear> took its line away: the phase lines only.
    const kept = text.split('\n').map((line) => line.split('\r\u001b[2K').pop()!);
    expect(kept.filter(Boolean)).toEqual([
      '  state: 120 changes on state',
      '  backend: 121 changes on crontab',
      '  cleanup: 5 changes on state',
    ]);
    expect(text.endsWith('\n')).toBe(true);
    // Each in-place line fits the 60 columns.
    for (const part of text.split('\r\u001b[2K')) expect(part.replace(/\n.*/s, '').length).toBeLessThan(60);
  });

  it('in a log: the phase lines and a line at every tenth of the way', async () => {
    const text = run(false, large);
    await golden('log.txt', text);
    expect(text).not.toContain('\u001b');
    // Tenths within the spec writes, then one after the crontab's single batch took it to 97%.
    expect(text.split('\n').filter((l) => l.includes('progress:'))).toHaveLength(5);
  });

  it(`at most ${PROGRESS_THRESHOLD} changes: only the phase lines, terminal or not`, () => {
    const small = events(20, 21, 2);
    const expected =
      '  state: 20 changes on state\n  backend: 21 changes on crontab\n  cleanup: 2 changes on state\n';
    expect(run(true, small)).toBe(expected);
    expect(run(false, small)).toBe(expected);
  });
});
