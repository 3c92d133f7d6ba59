/**
 * Disk full (issue 12 item 10): the wrapper once died with an uncaught ENOSPC stack trace, the run
 * stayed "running" for good, a 0-byte lock blocked later runs, reads failed with "bug in sched"
 * and a `.sweep-` file stayed behind. Here SCHED_HOME is a tiny tmpfs that the job itself fills:
 * the job runs to its end, stderr says "disk full" plainly, the outcome is kept in the space
 * reserved at start and shown by `sched history`, and once space is freed the next run records
 * it and runs normally, leaving no stray file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/state/runs.js';
import { mountTinyTmpfs, tinyTmpfsSkipReason, type TinyTmpfs } from './tools/tiny-tmpfs.js';
import {
  applyJob,
  historyRecords,
  jobDir,
  PROJECT,
  procSkipReason,
  relJob,
  startRun,
  startSched,
} from './tools/sched-proc.js';

const mounts: TinyTmpfs[] = [];
afterAll(() => mounts.forEach((m) => m.cleanup()));

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

describe.skipIf(procSkipReason() ?? tinyTmpfsSkipReason())('a disk that fills up during a run', () => {
  it('keeps the outcome, says "disk full", and recovers on the next run', { timeout: 180_000 }, async () => {
    const fsys = mountTinyTmpfs(1024);
    mounts.push(fsys);
    const root = fsys.dir;
    const job = relJob('filler', {
      workingDir: root,
      // The first run fills the disk, then writes output that can no longer be logged.
      command: {
        shell:
          'if [ -e done-once ]; then echo second; exit 0; fi; touch done-once; ' +
          'dd if=/dev/zero of=filler bs=4k 2>/dev/null; echo "output on a full disk"; exit 0',
      },
    });
    await applyJob(root, job);

    const first = await startRun(root, job.name).done;
    expect(first.stderr).toMatch(/disk full/);
    expect(first.stderr).not.toMatch(/bug in sched|\n\s+at /);
    expect(first.code, first.stderr).toBe(0);
    // Nothing left holding the job: no lock, no claimed running file.
    const locks = path.join(root, 'projects', PROJECT, 'locks');
    expect(
      fs.existsSync(locks) ? fs.readdirSync(locks).filter((n) => n.startsWith(`${job.name}.lock`)) : [],
    ).toEqual([]);

    // A read works on the full disk and shows the outcome.
    const hist = await startSched(root, ['history', job.name, '--project', PROJECT, '--json']).done;
    expect(hist.code, hist.stderr).toBe(0);
    expect((JSON.parse(hist.stdout) as { runs: RunRecord[] }).runs[0]).toMatchObject({
      result: 'ok',
      exit_code: 0,
    });

    // Space comes back: the next run records the kept outcome, then runs and records its own.
    fs.rmSync(path.join(root, 'filler'));
    const second = await startRun(root, job.name).done;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
    const records = historyRecords(root, job.name);
    expect(records.map((r) => r.result)).toEqual(['ok', 'ok']);
    expect(new Set(records.map((r) => r.id)).size).toBe(2);
    const stray = allFiles(jobDir(root, job.name)).filter((f) =>
      /running\/.+|\.sweep-|\.tmp$|\.stale-/.test(path.relative(root, f)),
    );
    expect(stray).toEqual([]);
    expect(fs.readFileSync(path.join(jobDir(root, job.name), 'run.log'), 'utf8')).toMatch(/ out second\n/);
  });
});
