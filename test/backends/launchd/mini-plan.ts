/** Test helper shared by the launchd and Windows adapter tests. */
import type { Artifact, ArtifactChange, InstalledArtifact } from '../../../src/backends/types.js';

/** A minimal plan: what the plan engine does, enough to drive apply in these tests. */
export function diff(desired: Artifact[], installed: InstalledArtifact[]): ArtifactChange[] {
  const changes: ArtifactChange[] = [];
  const byId = new Map(installed.map((a) => [a.id, a]));
  for (const a of desired) {
    const cur = byId.get(a.id);
    if (!cur) changes.push({ action: 'create', id: a.id, job: a.job, kind: a.kind, after: a });
    else if (cur.recordedHash !== a.hash || cur.actualHash !== cur.recordedHash || !cur.registered)
      changes.push({ action: 'update', id: a.id, job: a.job, kind: a.kind, before: cur, after: a });
  }
  const want = new Set(desired.map((a) => a.id));
  for (const cur of installed)
    if (!want.has(cur.id) && cur.recordedHash !== undefined)
      changes.push({ action: 'delete', id: cur.id, job: cur.job, kind: cur.kind, before: cur });
  return changes;
}
