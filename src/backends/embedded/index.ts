/**
 * The embedded backend: sched's own scheduler. `apply` records each job as a JSON file,
 * `<stateRoot>/embedded/<project>/<job>.json`; `sched daemon` reads those records and fires the
 * jobs through `sched run`. It works wherever node runs (containers, machines with no OS
 * scheduler), and plan, apply, destroy and drift behave exactly as for the native backends.
 */
import path from 'node:path';
import { isValidProjectName, type Job } from '../../model/job.js';
import { NodeDirFs } from '../../platform/node.js';
import type { DirFs } from '../../platform/ports.js';
import { InexpressibleError, UserError } from '../../errors.js';
import { daemonLockPath, embeddedRoot, runningDaemon } from './daemon-lock.js';
import type {
  Artifact,
  ArtifactChange,
  Backend,
  Detection,
  InstalledArtifact,
  RenderContext,
} from '../types.js';
import { jobFromFileName, parseRecord, recordFileName, renderRecord } from './record.js';

export { parseRecord, renderRecord, recordFileName, jobFromFileName } from './record.js';
export type { EmbeddedRecordBody, ParsedRecord } from './record.js';

/** The kind shown in plans for the embedded record. */
export const EMBEDDED_KIND = 'embedded job';

/** sched's bin/run.js, relative to this compiled file (dist/backends/embedded → ../../../bin). */
export interface EmbeddedBackendOptions {
  /**
   * The embedded backend's root, `<stateRoot>/embedded` (dir mode 0700): each project's records
   * live in its subdirectory `<project>/`, which is what `sched daemon` reads.
   */
  dir: DirFs;
  /** The DirFs of one project's records; default: a NodeDirFs (0700) on `<dir.root>/<project>`. */
  projectDir?: (project: string) => DirFs;
  /** The daemon's lock file; default `<dir.root>/daemon.lock`. */
  lockFile?: string;
}

/** A backend on the embedded root below `stateRoot`, written with NodeDirFs (files 0600, dirs 0700). */
export function embeddedBackendFor(stateRoot: string): EmbeddedBackend {
  return new EmbeddedBackend({
    dir: new NodeDirFs(embeddedRoot(stateRoot), 0o700),
    lockFile: daemonLockPath(stateRoot),
  });
}

export class EmbeddedBackend implements Backend {
  readonly name = 'embedded' as const;
  private readonly lockFile: string;
  private readonly projectDirs = new Map<string, DirFs>();

  constructor(private readonly options: EmbeddedBackendOptions) {
    this.lockFile = options.lockFile ?? path.join(options.dir.root, 'daemon.lock');
  }

  /** The directory of one project's records. */
  private projectDir(project: string): DirFs {
    if (!isValidProjectName(project)) throw new UserError(`invalid project name '${project}'`);
    let dir = this.projectDirs.get(project);
    if (!dir) {
      dir =
        this.options.projectDir?.(project) ?? new NodeDirFs(path.join(this.options.dir.root, project), 0o700);
      this.projectDirs.set(project, dir);
    }
    return dir;
  }

  async detect(): Promise<Detection> {
    return { available: true, reason: 'embedded: fired by `sched daemon`' };
  }

  /** Every schedule can be recorded: the daemon runs `wake` jobs at its start and when it sees a resume. */
  check(_job: Job): string[] {
    return [];
  }

  render(job: Job, _ctx: RenderContext): Artifact[] {
    const problems = this.check(job);
    if (problems.length > 0) throw new InexpressibleError('embedded', job.name, problems.join('; '));
    const { content, hash } = renderRecord(job);
    return [{ id: recordFileName(job.name), job: job.name, kind: EMBEDDED_KIND, content, hash }];
  }

  /** Nothing project-wide: the daemon runs the catch-up itself when it starts. */
  renderProject(): Artifact[] {
    return [];
  }

  async readInstalled(project: string): Promise<InstalledArtifact[]> {
    const installed: InstalledArtifact[] = [];
    const dir = this.projectDir(project);
    for (const entry of await dir.list()) {
      const job = jobFromFileName(entry.name);
      if (!job) continue;
      if (entry.isSymlink || !entry.isFile) {
        // Same name as ours but not a file sched wrote: a clash, shown without a recorded hash.
        installed.push({
          id: entry.name,
          job,
          kind: EMBEDDED_KIND,
          content: '',
          actualHash: '',
          registered: false,
        });
        continue;
      }
      const content = await dir.read(entry.name);
      if (content === undefined) continue;
      const parsed = parseRecord(content, project, job);
      installed.push({
        id: entry.name,
        job,
        kind: EMBEDDED_KIND,
        content,
        recordedHash: parsed.recordedHash,
        actualHash: parsed.actualHash,
        // Nothing to enable: the daemon fires every record it finds.
        registered: true,
      });
    }
    return installed.sort((a, b) => a.id.localeCompare(b.id));
  }

  async apply(project: string, changes: ArtifactChange[]): Promise<void> {
    const dir = this.projectDir(project);
    for (const change of changes) {
      if (change.action === 'delete') {
        await dir.remove(change.id);
      } else if (change.after) {
        await dir.write(change.after.id, change.after.content, 0o600);
      }
    }
  }

  async warnings(): Promise<string[]> {
    const daemon = await runningDaemon(this.lockFile);
    if (!daemon) {
      return [
        'no `sched daemon` is running for this state directory: embedded jobs fire only while it runs. Start it with `sched daemon` (in the foreground, e.g. as a container entrypoint) or install it as a service with `sched daemon --install`.',
      ];
    }
    if (daemon.projects) {
      return [
        `the running \`sched daemon\` (pid ${daemon.pid}) fires only the jobs of ${daemon.projects.join(', ')} (started with --project): restart it without --project if this project is not among them.`,
      ];
    }
    return [];
  }
}
