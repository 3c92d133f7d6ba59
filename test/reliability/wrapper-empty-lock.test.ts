/**
 * An empty (0-byte) or torn job lock — left by a full disk or a kill between create and write —
 * once blocked every later run until its heartbeat went stale (2 min; forever on a disk that stays
 * full). It names no holder, so after a few seconds it is stale and the next run takes it over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UNREADABLE_STALE_MS } from '../../src/state/lock.js';
import { lockFile } from '../../src/state/paths.js';
import {
  applyJob,
  cleanupHomes,
  historyRecords,
  PROJECT,
  procSkipReason,
  relJob,
  startRun,
  tempHome,
} from './tools/sched-proc.js';

afterAll(cleanupHomes);

describe.skipIf(procSkipReason())('an empty job lock', () => {
  for (const content of ['', '{"id":"x","pi']) {
    it(
      `${content ? 'torn' : '0-byte'}: the next run takes it over and runs`,
      { timeout: 60_000 },
      async () => {
        const root = tempHome();
        const job = relJob(content ? 'torn' : 'empty');
        await applyJob(root, job);
        const file = lockFile(root, PROJECT, job.name);
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, content, { mode: 0o600 });
        const old = new Date(Date.now() - UNREADABLE_STALE_MS - 1000);
        fs.utimesSync(file, old, old);
        const r = await startRun(root, job.name).done;
        expect(r.code, r.stderr).toBe(0);
        expect(historyRecords(root, job.name).map((h) => h.result)).toEqual(['ok']);
        expect(fs.existsSync(file)).toBe(false);
      },
    );
  }
});
