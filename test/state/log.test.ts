import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunLog, tailLog } from '../../src/state/log.js';
import { tempDir } from '../run/helpers.js';

describe('RunLog', () => {
  it('timestamps each line with its stream', () => {
    const file = path.join(tempDir(), 'run.log');
    const log = new RunLog(file, { now: () => new Date('2026-01-02T03:04:05.000Z') });
    log.line('out', 'hello\nworld');
    log.line('sched', 'done');
    log.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(
      '2026-01-02T03:04:05.000Z out hello\n2026-01-02T03:04:05.000Z out world\n2026-01-02T03:04:05.000Z sched done\n',
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rotates by size and keeps only `keep` old files', () => {
    const dir = tempDir();
    const file = path.join(dir, 'run.log');
    const log = new RunLog(file, { maxBytes: 200, keep: 3 });
    for (let i = 0; i < 100; i++) log.line('out', `line ${i}`);
    log.close();
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual(['run.log', 'run.log.1', 'run.log.2', 'run.log.3']);
    for (const n of names) expect(fs.statSync(path.join(dir, n)).size).toBeLessThanOrEqual(200 + 60);
    // The newest lines are readable across the rotated files, in order.
    const tail = tailLog(file, 8).map((l) => l.split(' ').slice(2).join(' '));
    expect(tail).toEqual(Array.from({ length: 8 }, (_, k) => `line ${92 + k}`));
  });
});
