/**
 * Issue 12.16: keys are no longer checked by yaml's `uniqueKeys` (quadratic in the number of
 * jobs) but by sched's own linear walk. The diagnostics must stay exact: the same keys yaml
 * calls duplicates, at the same positions, with the line of the first one. (Speed is measured
 * by bench/validate.ts, never asserted here.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { loadProject } from '../../src/config/load.js';
import { parseSource } from '../../src/config/parse.js';

const TEXT = `version: 1
project: dup
jobs:
  a:
    schedule: day
    command: ["true"]
    env: { X: "1", Y: "2", X: "3" }
  b:
    schedule: day
    command: ["true"]
    schedule: hour
  a:
    schedule: week
    command: ["true"]
  "b":
    schedule: day
    command: ["true"]
  c:
    schedule: day
    command: [{ k: 1, k: 2 }]
    1: one
    "1": string one
    1: one again
version: 1
`;

/** Where yaml itself, with uniqueKeys on, finds duplicate keys: line:col. */
function yamlReference(text: string): string[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true, logLevel: 'error' });
  return doc.errors
    .filter((e) => e.code === 'DUPLICATE_KEY')
    .map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `${line}:${col}`;
    });
}

describe('duplicate keys, found in one linear walk', () => {
  it('finds exactly the keys yaml`s uniqueKeys finds, at the same positions', () => {
    const parsed = parseSource(TEXT, 'schedules.yaml');
    const diags = 'diagnostics' in parsed ? parsed.diagnostics : parsed.r.list;
    const ours = diags.filter((d) => d.code === 'duplicate-key').map((d) => `${d.line}:${d.col}`);
    expect(ours.sort()).toEqual(yamlReference(TEXT).sort());
    expect(ours.length).toBe(7);
  });

  it('says which key, where, and where the first one was', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-dup-'));
    const file = path.join(dir, 'schedules.yaml');
    writeFileSync(file, TEXT);
    const { diagnostics } = await loadProject(file, {
      displayName: 'schedules.yaml',
      checkFilesystem: false,
    });
    const dups = diagnostics
      .filter((d) => d.code === 'duplicate-key')
      .map((d) => `${d.line}:${d.col} ${d.message}`);
    expect(dups).toEqual([
      "7:28 duplicate key 'X' in env in job 'a' (first defined on line 7)",
      "11:5 duplicate key 'schedule' in job 'b' (first defined on line 9)",
      "12:3 duplicate key 'a' in jobs (first defined on line 4)",
      "15:3 duplicate key 'b' in jobs (first defined on line 8)",
      "20:23 duplicate key 'k' in command[0] in job 'c' (first defined on line 20)",
      "23:5 duplicate key '1' in job 'c' (first defined on line 21)",
      "24:1 duplicate key 'version' (first defined on line 1)",
    ]);
  });
});

describe('size limits', () => {
  it('refuses a file over 16 MiB at once, and a string over 65,536 characters where it is', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-size-'));
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `version: 1\nproject: big\njobs: {}\n#${'x'.repeat(16 * 1024 * 1024)}\n`);
    const tooBig = await loadProject(big, { displayName: 'big.yaml' });
    expect(tooBig.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(['1:1 file-too-large']);
    expect(tooBig.diagnostics[0]!.message).toMatch(/at most 16,777,216 bytes \(16 MiB\)/);
    const long = path.join(dir, 'long.yaml');
    writeFileSync(
      long,
      `version: 1\nproject: long\njobs:\n  a:\n    schedule: day\n    command: ["true"]\n    description: ${'d'.repeat(70_000)}\n`,
    );
    const tooLong = await loadProject(long, { displayName: 'long.yaml', checkFilesystem: false });
    expect(tooLong.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toContain(
      '7:18 too-long this text is 70,000 characters long; sched takes at most 65,536',
    );
  });
});
