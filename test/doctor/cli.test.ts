/**
 * `sched doctor` through the built CLI on this very host: whatever the host is like, the output
 * is the documented JSON, every finding that is not ok carries a fix, and the exit code is 1
 * exactly when a finding failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] sched doctor CLI: ${skip}`);

describe.skipIf(skip)('sched doctor (CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sched-doctor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports findings with fixes, exit 1 iff one failed', async () => {
    const r = await sched(localExec(dir), ['doctor', '-f', path.join(dir, 'none.yaml'), '--json'], {
      SCHED_HOME: path.join(dir, 'state'),
    });
    const report = JSON.parse(r.stdout) as {
      findings: { id: string; status: string; message: string; fix?: string }[];
      failed: boolean;
    };
    const ids = report.findings.map((f) => f.id);
    expect(ids).toContain('config');
    expect(ids).toContain('backend');
    expect(ids).toContain('state-dir');
    expect(ids).toContain('path');
    for (const f of report.findings) {
      expect(['ok', 'warn', 'fail']).toContain(f.status);
      if (f.status !== 'ok') expect(f.fix).toBeTruthy();
    }
    expect(report.failed).toBe(report.findings.some((f) => f.status === 'fail'));
    expect(r.exitCode).toBe(report.failed ? 1 : 0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
