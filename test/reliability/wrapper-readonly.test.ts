/**
 * Reads do not act (issue 11 item 11): `sched status` and `sched history` once stopped the
 * process group a dead wrapper left behind (SIGTERM, then SIGKILL). Reaping belongs to the wrapper
 * and the daemon; a read shows the dead run as interrupted and changes nothing — no signal, no file.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobHistory, lastRun } from '../../src/services/history.js';
import { processStartTicks, RunStore, type RunRecord } from '../../src/state/runs.js';
import {
  applyJob,
  cleanupHomes,
  jobDir,
  PROJECT,
  procSkipReason,
  processRunning,
  relJob,
  startSched,
  tempHome,
} from './tools/sched-proc.js';

afterAll(cleanupHomes);

/** A pid that is certainly gone: a process that ran and was reaped. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(r.stdout).trim());
}

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${fs.statSync(p).size} ${fs.statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

describe.skipIf(procSkipReason())('status and history never signal or write', () => {
  it('leaves an orphaned process group of a dead wrapper alive and the state untouched', async () => {
    const root = tempHome();
    const job = relJob('orphan');
    await applyJob(root, job);
    // The job a SIGKILLed wrapper left: its own process group, still running.
    const orphan = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    orphan.unref();
    try {
      const pgid = orphan.pid!;
      const store = new RunStore(root, PROJECT, job.name);
      const running: RunRecord = {
        id: '20260101T000000Z-1-abcdef',
        project: PROJECT,
        job: job.name,
        start: new Date(Date.now() - 5000).toISOString(),
        end: null,
        duration_ms: null,
        exit_code: null,
        signal: null,
        result: 'running',
        attempt: 1,
        trigger: 'crontab',
        pid: deadPid(),
        host: (await import('node:os')).hostname(),
        pgid,
        pgid_start: processStartTicks(pgid),
      };
      store.markRunning(running);
      const before = listing(jobDir(root, job.name));

      const last = await lastRun(root, PROJECT, job.name);
      const hist = await jobHistory(root, PROJECT, job.name);
      const cli = await startSched(root, ['history', job.name, '--project', PROJECT, '--json']).done;
      expect(cli.code, cli.stderr).toBe(0);

      // The reads report the dead run as interrupted…
      expect(last?.result).toBe('interrupted');
      expect(hist[0]?.result).toBe('interrupted');
      expect((JSON.parse(cli.stdout) as { runs: RunRecord[] }).runs[0]?.result).toBe('interrupted');
      // …and changed nothing: the group lives, no file was written, renamed or removed.
      expect(processRunning(pgid)).toBe(true);
      expect(listing(jobDir(root, job.name))).toEqual(before);
    } finally {
      try {
        process.kill(-orphan.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
});
