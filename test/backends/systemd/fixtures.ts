import type { Job } from '../../../src/model/job.js';
import type { RenderContext } from '../../../src/backends/types.js';

export const CTX: RenderContext = {
  nodePath: '/usr/bin/node',
  schedBin: '/opt/sched/bin/run.js',
  stateDir: '/home/ada/.local/state/sched',
  hostTimezone: 'UTC',
  homeDir: '/home/ada',
};

/** The render moment of the golden units: clock changes are compensated from 2025 to 2040. */
export const NOW = new Date('2026-03-20T10:00:00Z');

export function makeJob(overrides: Partial<Job> = {}): Job {
  return testJob({ timezone: 'Europe/Berlin', ...overrides });
}

import type { Artifact, ArtifactChange, InstalledArtifact } from '../../../src/backends/types.js';
import { testJob } from '../../fakes/job.js';

/**
 * The plan engine's decision, reduced to what backend tests need: create what is missing, update
 * what differs or is not registered, delete what is ours and no longer wanted. Artifacts without
 * a recorded hash (not ours) are never deleted.
 */
export function planChanges(installed: InstalledArtifact[], wanted: Artifact[]): ArtifactChange[] {
  const changes: ArtifactChange[] = [];
  const byId = new Map(installed.map((a) => [a.id, a]));
  for (const a of wanted) {
    const before = byId.get(a.id);
    if (!before) changes.push({ action: 'create', id: a.id, job: a.job, kind: a.kind, after: a });
    else if (before.recordedHash !== a.hash || before.actualHash !== a.hash || !before.registered)
      changes.push({ action: 'update', id: a.id, job: a.job, kind: a.kind, before, after: a });
  }
  for (const b of installed) {
    if (b.recordedHash !== undefined && !wanted.some((a) => a.id === b.id))
      changes.push({ action: 'delete', id: b.id, job: b.job, kind: b.kind, before: b });
  }
  return changes;
}
