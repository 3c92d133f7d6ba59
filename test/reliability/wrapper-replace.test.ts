/**
 * `overlap: replace` under simultaneous starts (issue 12 item 8): with 3 runs, run 3 once SIGKILLed
 * run 2's wrapper without a SIGTERM; with 20, 13 wrappers died by -9 and only 8 records existed.
 * Every invocation leaves exactly one record (ok / failed / replaced / skipped), no wrapper is
 * killed, and the newest run is the one that runs to the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyJob,
  cleanupHomes,
  historyRecords,
  procSkipReason,
  relJob,
  startRun,
  tempHome,
  waitFor,
} from './tools/sched-proc.js';

afterAll(cleanupHomes);

const ALLOWED = new Set(['ok', 'failed', 'replaced', 'skipped']);

describe.skipIf(procSkipReason())('overlap: replace with simultaneous runs', () => {
  for (const n of [3, 20]) {
    it(
      `${n} runs at once: ${n} records, no wrapper killed, the newest runs`,
      { timeout: 300_000 },
      async () => {
        const root = tempHome();
        // The job ignores nothing: SIGTERM ends it, so a replaced run stops within the grace period.
        const job = relJob(`replace-${n}`, { overlap: 'replace', command: { shell: 'sleep 4' } });
        await applyJob(root, job);
        const runs = [];
        for (let i = 0; i < n; i++) runs.push(startRun(root, job.name));
        const done = await Promise.all(runs.map((r) => r.done));
        for (const d of done) {
          expect(d.signal, d.stderr).toBeNull();
          expect(d.code, d.stderr).toBe(0);
        }
        const records = await waitFor('every record', () => {
          const h = historyRecords(root, job.name);
          return h.length >= n ? h : false;
        });
        expect(records).toHaveLength(n);
        expect(new Set(records.map((r) => r.id)).size).toBe(n);
        for (const r of records) expect(ALLOWED.has(r.result), JSON.stringify(r)).toBe(true);
        // Exactly one run ran to the end; every other one was replaced.
        expect(records.filter((r) => r.result === 'ok')).toHaveLength(1);
        expect(records.filter((r) => r.result === 'replaced')).toHaveLength(n - 1);
      },
    );
  }
});
