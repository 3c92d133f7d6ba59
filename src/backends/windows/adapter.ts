/**
 * The Windows backend: tasks in the Task Scheduler folder `\sched\<project>\`, managed with
 * `schtasks`. All OS access goes through the Runner port (and a temp dir for the XML files
 * `/Create /XML` reads); tests drive it with a fake Task Scheduler
 * (test/backends/windows/fake-schtasks.ts).
 *
 * schtasks behaviour this relies on (schtasks(1) documentation and recorded outputs; not run on
 * Windows here, see docs/verification.md):
 * - `/Create /XML FILE /TN NAME /F` creates or replaces the task; the file must be UTF-16 with
 *   a BOM when it declares UTF-16. Malformed XML: "ERROR: The task XML is malformed." and more.
 * - `/Query /XML` (no /TN) prints every task the user can see as one `<Tasks>` document, each
 *   `<Task>` preceded by a comment with its path: ONE query reads the whole folder.
 * - `/Delete /TN NAME /F`, `/Run /TN NAME`; a missing task: "ERROR: The system cannot find the
 *   file specified." (exit 1); no rights: "ERROR: Access is denied." (exit 1).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from '../../model/job.js';
import { UserError } from '../../errors.js';
import type { RunResult, Runner } from '../../platform/ports.js';
import { commandError } from '../command-error.js';
import { contentHash, parseOwnership } from '../header.js';
import type {
  Artifact,
  ArtifactChange,
  Backend,
  Detection,
  InstalledArtifact,
  RenderContext,
  RenderedFile,
} from '../types.js';
import { canonicalTaskXml } from './normalize.js';
import {
  checkWindowsJob,
  encodeTaskXml,
  renderWindowsJob,
  taskFileName,
  taskFolder,
  taskHash,
  taskPath,
} from './render.js';

export interface WindowsBackendOptions {
  runner: Runner;
  /** Where the task XML files handed to `schtasks /Create /XML` are written (a private subfolder is made). */
  tempDir: string;
}

const NOT_FOUND = /cannot find the (file|path) specified/i;
const ACCESS_DENIED = /Access is denied/i;

/** Tasks in `schtasks /Query /XML` output: path → the `<Task>` element's text. */
export function splitTasksDocument(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!--\s*(\\[^\r\n]*?)\s*-->\s*(<Task[\s>][\s\S]*?<\/Task>)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.set(m[1]!, m[2]!);
  return out;
}

function combined(r: RunResult): string {
  return `${r.stdout}\n${r.stderr}`.trim();
}

export class WindowsBackend implements Backend {
  readonly name = 'windows' as const;
  /** runNow starts the installed entry (`sched run --trigger …`): run-now leaves a request. */
  readonly runNowStartsEntry = true;
  private readonly runner: Runner;
  private readonly tempDir: string;

  constructor(options: WindowsBackendOptions) {
    this.runner = options.runner;
    this.tempDir = options.tempDir;
  }

  private async schtasks(args: string[]): Promise<RunResult> {
    return this.runner.run('schtasks', args);
  }

  private fail(args: string[], r: RunResult): never {
    throw commandError('schtasks', args, r, {
      pattern: ACCESS_DENIED,
      message: (text) => `schtasks ${args.join(' ')}: ${text}`,
      hint: 'run sched as the user who owns the tasks; tasks in \\sched\\ are created for the current user and need no elevation.',
    });
  }

  async detect(): Promise<Detection> {
    try {
      const r = await this.schtasks(['/Query', '/FO', 'CSV', '/NH']);
      if (r.exitCode === 0) return { available: true, reason: 'schtasks answers' };
      return { available: false, reason: `schtasks failed: ${combined(r).split('\n')[0]}` };
    } catch {
      return { available: false, reason: 'schtasks was not found (not Windows)' };
    }
  }

  check(job: Job, ctx: RenderContext): string[] {
    return checkWindowsJob(job, ctx);
  }

  render(job: Job, ctx: RenderContext): Artifact[] {
    return [renderWindowsJob(job, ctx)];
  }

  /** `sched render --out`: each task as `<job>.xml` in UTF-16 LE with a BOM, as schtasks reads it. */
  renderFiles(_project: string, artifacts: Artifact[]): RenderedFile[] {
    return artifacts.map((a) => ({ name: a.id, content: encodeTaskXml(a.content) }));
  }

  /** All tasks in the user's view, by path: ONE `schtasks /Query /XML`. */
  private async allTasks(): Promise<Map<string, string>> {
    const args = ['/Query', '/XML'];
    const r = await this.schtasks(args);
    if (r.exitCode !== 0) this.fail(args, r);
    return splitTasksDocument(r.stdout.replace(/^\uFEFF/, ''));
  }

  /** Tasks in `\sched\<project>\`. A task there without sched's header comes back without recordedHash. */
  async readInstalled(project: string): Promise<InstalledArtifact[]> {
    const folder = taskFolder(project).toLowerCase();
    const found: InstalledArtifact[] = [];
    for (const [name, xml] of await this.allTasks()) {
      if (!name.toLowerCase().startsWith(folder)) continue;
      const job = name.slice(folder.length);
      if (job.includes('\\')) continue; // a subfolder: not sched's
      const own = parseOwnership(xml);
      const ours = own !== undefined && own.project === project && own.job === job;
      let actualHash: string;
      let content: string;
      try {
        actualHash = taskHash(xml);
        // Shown in plan diffs: the canonical layout sched writes, so only real changes show.
        content = canonicalTaskXml(xml);
      } catch {
        actualHash = contentHash(xml);
        content = xml;
      }
      const enabled = !/<Settings>[\s\S]*<Enabled>(false|0)<\/Enabled>[\s\S]*<\/Settings>/.test(xml);
      found.push({
        id: taskFileName(job),
        job,
        kind: 'task',
        content,
        recordedHash: ours ? own.hash : undefined,
        actualHash,
        registered: enabled,
      });
    }
    return found;
  }

  /**
   * Idempotent: `/Create /F` replaces, `/Delete` of a missing task is the wanted state. Reads
   * the folder once first and refuses to replace or delete a task sched did not write.
   */
  async apply(project: string, changes: ArtifactChange[]): Promise<void> {
    if (changes.length === 0) return;
    const installed = new Map((await this.readInstalled(project)).map((a) => [a.job, a]));
    for (const c of changes) {
      if (c.id !== taskFileName(c.job) || c.job === '')
        throw new UserError(`refusing to change '${c.id}': not a sched task of project '${project}'`);
      const cur = installed.get(c.job);
      if (cur && cur.recordedHash === undefined) {
        throw new UserError(
          `task ${taskPath(project, c.job)} exists and was not written by sched for project '${project}'`,
          'rename the job, or delete that task in Task Scheduler if it is no longer needed.',
        );
      }
    }
    const dir = await mkdtemp(path.join(this.tempDir, 'sched-tasks-'));
    try {
      for (const c of changes) {
        const name = taskPath(project, c.job);
        if (c.action === 'delete') {
          const args = ['/Delete', '/TN', name, '/F'];
          const r = await this.schtasks(args);
          if (r.exitCode !== 0 && !NOT_FOUND.test(combined(r))) this.fail(args, r);
          continue;
        }
        if (!c.after) continue;
        const file = path.join(dir, c.id);
        await writeFile(file, encodeTaskXml(c.after.content), { mode: 0o600 });
        const args = ['/Create', '/XML', file, '/TN', name, '/F'];
        const r = await this.schtasks(args);
        if (r.exitCode !== 0) this.fail(args, r);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async runNow(project: string, job: string): Promise<void> {
    const args = ['/Run', '/TN', taskPath(project, job)];
    const r = await this.schtasks(args);
    if (r.exitCode === 0) return;
    if (NOT_FOUND.test(combined(r)))
      throw new UserError(`job '${job}' has no task in Task Scheduler`, 'run `sched apply` first.');
    this.fail(args, r);
  }

  /** `schtasks /Query /TN … /XML ONE`: the task's XML, or undefined when it does not exist. */
  async queryTask(project: string, job: string): Promise<string | undefined> {
    const args = ['/Query', '/TN', taskPath(project, job), '/XML', 'ONE'];
    const r = await this.schtasks(args);
    if (r.exitCode === 0) return r.stdout.replace(/^\uFEFF/, '');
    if (NOT_FOUND.test(combined(r))) return undefined;
    this.fail(args, r);
  }
}
