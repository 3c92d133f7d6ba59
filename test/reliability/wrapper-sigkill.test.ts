/**
 * A SIGKILLed wrapper (issue 12 item 12): its job once ran on with no timeout until another sched
 * command touched the job, and the interrupted run was recorded with a 37 ms duration for a 2 s
 * run. The job now dies with its wrapper — a watchdog in its own session notices the wrapper's
 * end and stops the job's process group — with no other sched command involved, and the record
 * written later carries the job's real duration.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/state/runs.js';
import {
  applyJob,
  cleanupHomes,
  historyRecords,
  jobDir,
  procSkipReason,
  processRunning,
  relJob,
  startRun,
  tempHome,
  waitFor,
} from './tools/sched-proc.js';

afterAll(cleanupHomes);

function runningRecord(root: string, name: string): RunRecord | undefined {
  const dir = path.join(jobDir(root, name), 'running');
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((n) => n.endsWith('.json')) : undefined;
  if (!file) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

describe.skipIf(procSkipReason())('a SIGKILLed wrapper', () => {
  it(
    'takes its job down with it, and the run is recorded with its real duration',
    { timeout: 120_000 },
    async () => {
      const root = tempHome();
      const work = tempHome('sched-rel-work-');
      // The first run sleeps; the next one (which records the killed one) ends at once.
      const job = relJob('killed', {
        workingDir: work,
        command: { shell: '[ -e first ] && exit 0; touch first; sleep 120' },
      });
      await applyJob(root, job);
      const run = startRun(root, job.name);
      const rec = await waitFor('the job to start', () => {
        const r = runningRecord(root, job.name);
        return r?.pgid !== undefined ? r : undefined;
      });
      const pgid = rec.pgid!;
      // Let it run a while, then kill the wrapper the hard way.
      await new Promise((r) => setTimeout(r, 2000));
      const killedAt = Date.now();
      run.child.kill('SIGKILL');
      await run.done;
      // No sched command runs now: the job must end on its own account.
      await waitFor('the job to end with its wrapper', () => !processRunning(pgid), 30_000);

      // The next run records the interrupted one, with the time the job really ran.
      const next = await startRun(root, job.name).done;
      expect(next.code, next.stderr).toBe(0);
      const interrupted = await waitFor('the interrupted record', () =>
        historyRecords(root, job.name).find((h) => h.result === 'interrupted'),
      );
      const ranFor = killedAt - Date.parse(rec.start);
      expect(interrupted.duration_ms!).toBeGreaterThanOrEqual(ranFor - 500);
      expect(interrupted.reason).toMatch(/ended without recording an outcome/);
    },
  );
});
