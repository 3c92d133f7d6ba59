/**
 * The applied spec's format 2 carries the backend's run capabilities; a format-1 spec (written by
 * an older sched) gets, when read, exactly what its backend's provider gives today — so a job
 * applied before the upgrade runs the same (jitter, catch-up, overdue hints).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCapabilitiesOf } from '../../src/backends/registry.js';
import { BACKENDS } from '../../src/model/job.js';
import { AppliedSpecStore, readAppliedSpecSync, upgradeSpec } from '../../src/state/applied.js';
import { testJob } from '../fakes/job.js';

const job = testJob();

function formatOne(backend: string) {
  return { format_version: 1, backend, appliedAt: '2026-01-01T00:00:00.000Z', sourceFile: '/f', job };
}

describe('applied spec format 1 → 2', () => {
  it.each(BACKENDS)('a format-1 %s spec gets the capabilities its provider gives', (backend) => {
    const spec = upgradeSpec(formatOne(backend));
    expect(spec.format_version).toBe(2);
    expect(spec.capabilities).toEqual(runCapabilitiesOf(backend, job));
    expect(spec.job).toEqual(job);
  });

  it('leaves a format-2 spec as written', () => {
    const capabilities = { ...runCapabilitiesOf('crontab', job), overdueHint: 'as recorded' };
    const spec = { ...formatOne('crontab'), format_version: 2, capabilities };
    expect(upgradeSpec(spec).capabilities).toBe(capabilities);
  });

  it('gives a format-1 spec of an unknown backend the wrapper-side jitter and catch-up (nothing skipped)', () => {
    const spec = upgradeSpec(formatOne('nomad'));
    expect(spec.capabilities).toMatchObject({
      nativeJitter: false,
      nativeCatchUp: false,
      runsRecordedHere: true,
    });
  });

  it('upgrades format-1 files on both read paths (the run hot path and the store)', async () => {
    const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'sched-spec-')), 'state');
    const dir = path.join(root, 'projects', job.project, 'jobs', job.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(formatOne('launchd')), { mode: 0o600 });
    const expected = runCapabilitiesOf('launchd', job);
    expect(readAppliedSpecSync(root, job.project, job.name)?.capabilities).toEqual(expected);
    const listed = await new AppliedSpecStore(root).list(job.project);
    expect(listed.map((s) => s.capabilities)).toEqual([expected]);
  });
});
