/**
 * `sched list`: every project sched installed for this user, read from the applied specs in the
 * state dir (each records its backend and the schedules.yaml it came from) — also the projects
 * whose checkout is gone. No flags, no printing.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isValidProjectName } from '../model/job.js';
import { AppliedSpecStore } from '../state/applied.js';
import { stateRoot } from '../state/paths.js';
import type { HostSettings } from './host.js';

export const LIST_FORMAT_VERSION = 1;

export interface InstalledProject {
  project: string;
  /** Backends its jobs are installed on (usually one). */
  backends: string[];
  jobs: number;
  paused: number;
  /** The schedules.yaml it was last applied from; null when no spec records one. */
  source_file: string | null;
  /** False when that file is gone (an orphan: `sched destroy --project` removes it). */
  source_exists: boolean;
  /** Other schedules.yaml some of its jobs were applied from (a half-finished move). */
  other_sources: string[];
  /** When it was last applied (ISO-8601). */
  applied_at: string;
}

export interface ProjectList {
  format_version: typeof LIST_FORMAT_VERSION;
  state_dir: string;
  projects: InstalledProject[];
}

export async function listProjects(host: HostSettings): Promise<ProjectList> {
  const root = stateRoot(host.env);
  const store = new AppliedSpecStore(root);
  const projects: InstalledProject[] = [];
  for (const name of projectNames(root)) {
    const specs = await store.list(name);
    if (specs.length === 0) continue; // destroyed: only its history is left
    const latest = [...specs].sort((a, b) => b.appliedAt.localeCompare(a.appliedAt))[0]!;
    const source = typeof latest.sourceFile === 'string' && latest.sourceFile ? latest.sourceFile : null;
    const sources = new Set(specs.map((s) => s.sourceFile).filter((f) => typeof f === 'string' && f));
    projects.push({
      project: name,
      backends: [...new Set(specs.map((s) => s.backend))].sort(),
      jobs: specs.length,
      paused: specs.filter((s) => !s.job.enabled).length,
      source_file: source,
      source_exists: source !== null && existsSync(source),
      other_sources: [...sources].filter((f) => f !== source).sort(),
      applied_at: latest.appliedAt,
    });
  }
  return { format_version: LIST_FORMAT_VERSION, state_dir: root, projects };
}

function projectNames(root: string): string[] {
  try {
    return readdirSync(path.join(root, 'projects'))
      .filter((n) => isValidProjectName(n))
      .sort();
  } catch {
    return []; // nothing applied yet
  }
}
