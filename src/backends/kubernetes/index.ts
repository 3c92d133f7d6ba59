/**
 * The Kubernetes backend: each job is a batch/v1 CronJob named `<project>-<job>`, labelled
 * `app.kubernetes.io/managed-by=sched` + `sched.dev/project=<project>` (+ `sched.dev/job`), with
 * the hash of its rendered fields in the `sched.dev/hash` annotation.
 *
 * Unlike the host backends, a paused job (`enabled: false`) stays registered as a suspended
 * CronJob (`suspend: true`): see {@link KubernetesBackend.registersPausedJobs}.
 *
 * Reads: ONE `kubectl get cronjobs -l <both labels> -o json` per namespace. Writes: ONE
 * `kubectl apply --server-side --field-manager=sched -f -` for all creates and updates (per
 * kubectl context), `kubectl delete cronjob NAME` per removed object — only objects carrying both
 * labels of this project are ever read, changed or deleted.
 */
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../errors.js';
import type { Job } from '../../model/job.js';
import type { Clock, Runner } from '../../platform/ports.js';
import type {
  Artifact,
  ArtifactChange,
  Backend,
  Detection,
  InstalledArtifact,
  RenderContext,
  RenderedFile,
} from '../types.js';
import { Kubectl, type KubeTarget } from './adapter.js';
import {
  installedFromObject,
  jobRunFromObject,
  ownedBy,
  statusFromObject,
  type CronJobStatus,
  type JobRun,
} from './parse.js';
import { checkJob, cronJobName, renderArtifacts, splitArtifactId } from './render.js';
import { clockChangeVerdict, type ClockChangeVerdict } from './clock-changes.js';

export { checkName, renderManifests, CRONJOB_NAME_LIMIT } from './render.js';
export type { KubeTarget } from './adapter.js';

export interface KubernetesBackendOptions {
  runner: Runner;
  clock?: Clock;
  /** Namespaces to read besides those of rendered jobs (e.g. those of previously applied jobs). */
  targets?: KubeTarget[];
  /**
   * Repair a hand edit (an object whose fields no longer match its own hash annotation) with
   * `--force-conflicts`: `kubectl edit` makes kubectl-edit the owner of the fields it changed,
   * so server-side apply can only restore them by forcing. Only objects carrying this project's
   * labels and sched's hash annotation, whose hand edit the plan showed, are ever forced.
   * Default true; false: such a repair fails with the conflict and a hint.
   */
  repairHandEdits?: boolean;
}

/** Job names stay within 63 characters (their pods carry them as a label value). */
const JOB_NAME_LIMIT = 63;

function targetKey(t: KubeTarget): string {
  return `${t.context ?? ''}\0${t.namespace}`;
}

export class KubernetesBackend implements Backend {
  readonly name = 'kubernetes' as const;
  /**
   * True: a paused job must still be rendered (as `suspend: true`) rather than removed. The plan
   * service renders disabled jobs for backends that set this.
   */
  readonly registersPausedJobs = true;

  private readonly kubectl: Kubectl;
  private readonly clock: Clock;
  private readonly repairHandEdits: boolean;
  private readonly targets = new Map<string, KubeTarget>();

  constructor(options: KubernetesBackendOptions) {
    this.kubectl = new Kubectl(options.runner);
    this.clock = options.clock ?? { now: () => new Date() };
    this.repairHandEdits = options.repairHandEdits ?? true;
    for (const t of options.targets ?? []) this.addTarget(t);
  }

  private addTarget(t: KubeTarget): void {
    this.targets.set(
      targetKey(t),
      t.context ? { namespace: t.namespace, context: t.context } : { namespace: t.namespace },
    );
  }

  /** Makes readInstalled look in the namespaces of these jobs (e.g. previously applied ones). */
  useJobs(jobs: Job[]): void {
    for (const j of jobs)
      if (j.kubernetes?.namespace)
        this.addTarget({ namespace: j.kubernetes.namespace, context: j.kubernetes.context });
  }

  async detect(): Promise<Detection> {
    const version = await this.kubectl.clientVersion();
    return version
      ? { available: true, reason: `kubectl ${version} found (backend: kubernetes is never chosen by auto)` }
      : { available: false, reason: 'kubectl is not installed or not on PATH' };
  }

  check(job: Job, _ctx: RenderContext): string[] {
    const problems = checkJob(job);
    if (problems.length) return problems;
    const refusal = this.clockChanges(job, this.clock.now())?.refusal;
    return refusal ? [refusal] : [];
  }

  /** Accepted differences from Debian cron at clock changes (warnings for validate and render). */
  advisories(job: Job, _ctx: RenderContext): string[] {
    if (checkJob(job).length) return [];
    const warning = this.clockChanges(job, this.clock.now())?.warning;
    return warning ? [warning] : [];
  }

  /** Plan notes: where the CronJob fires differently from `sched next` (Debian cron) at clock changes. */
  notes(job: Job, from: Date): string[] {
    return this.clockChanges(job, from)?.notes ?? [];
  }

  /**
   * The cluster reads the schedule with robfig/cron, which differs from Debian cron at clock
   * changes (see clock-changes.ts). Only for a valid cron schedule.
   */
  private clockChanges(job: Job, now: Date): ClockChangeVerdict | undefined {
    if (job.schedule.kind !== 'cron' || checkJob(job).length) return undefined;
    return clockChangeVerdict(job.schedule.expr, job.timezone, now, job.kubernetes?.strictClockChanges);
  }

  render(job: Job, _ctx: RenderContext): Artifact[] {
    const artifacts = renderArtifacts(job);
    this.useJobs([job]);
    return artifacts;
  }

  /** `sched render`: one YAML document per CronJob, `<namespace>-<name>.yaml` (`<context>-…` with a context). */
  renderFiles(_project: string, artifacts: Artifact[]): RenderedFile[] {
    return artifacts
      .map((a) => ({ name: `${a.id.replace(/[:/]/g, '-')}.yaml`, content: a.content }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private sortedTargets(): KubeTarget[] {
    return [...this.targets.values()].sort((a, b) => targetKey(a).localeCompare(targetKey(b)));
  }

  async readInstalled(project: string): Promise<InstalledArtifact[]> {
    const found: InstalledArtifact[] = [];
    if (this.targets.size === 0) {
      for (const o of await this.kubectl.listOwnedAllNamespaces(project)) {
        const a = installedFromObject(o, project);
        if (a) found.push(a);
      }
    }
    for (const target of this.sortedTargets()) {
      for (const o of await this.kubectl.listOwned(target, project)) {
        const a = installedFromObject(o, project, target.context);
        if (a) found.push(a);
      }
    }
    return found.sort((a, b) => a.id.localeCompare(b.id));
  }

  async apply(project: string, changes: ArtifactChange[]): Promise<void> {
    const writes = changes.filter((c) => c.action !== 'delete' && c.after);
    // Name clashes: a CronJob with our name that is not this project's, or that sched did not write.
    const creates = new Map<string, { target: KubeTarget; names: string[] }>();
    for (const c of writes.filter((w) => w.action === 'create')) {
      const { context, namespace, name } = splitArtifactId(c.id);
      const target = context ? { namespace, context } : { namespace };
      const entry = creates.get(targetKey(target)) ?? { target, names: [] };
      entry.names.push(name);
      creates.set(targetKey(target), entry);
    }
    for (const { target, names } of creates.values()) {
      const existing = await this.kubectl.getByName(target, names.sort());
      const foreign = existing.filter((o) => {
        const annotations =
          (o.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations ?? {};
        return !ownedBy(o, project) || typeof annotations['sched.dev/hash'] !== 'string';
      });
      if (foreign.length) {
        const names = foreign
          .map((o) => String((o.metadata as { name?: unknown } | undefined)?.name))
          .join(', ');
        throw new UserError(
          `name clash in namespace ${target.namespace}: CronJob ${names} already exists and was not created by sched for project ${project}`,
          'sched never takes over an object it did not create. Rename the job, or delete the existing CronJob if it is yours to replace.',
        );
      }
    }
    // One apply per (context, forced) group: forced only for repairs of sched's own hand-edited objects.
    const groups = new Map<string, { context?: string; force: boolean; docs: string[] }>();
    for (const c of writes.sort((a, b) => a.id.localeCompare(b.id))) {
      const { context } = splitArtifactId(c.id);
      const b = c.before;
      const force =
        this.repairHandEdits &&
        c.action === 'update' &&
        b?.recordedHash !== undefined &&
        b.recordedHash !== b.actualHash;
      const key = `${context ?? ''}\0${force}`;
      const g = groups.get(key) ?? { context, force, docs: [] };
      g.docs.push(c.after!.content);
      groups.set(key, g);
    }
    for (const g of [...groups.values()].sort((a, b) => Number(a.force) - Number(b.force))) {
      await this.kubectl.apply(g.context, g.docs, g.force);
    }
    for (const c of changes.filter((x) => x.action === 'delete').sort((a, b) => a.id.localeCompare(b.id))) {
      const { context, namespace, name } = splitArtifactId(c.id);
      // Second lock: the object as read must carry both labels of this project.
      const before = c.before ? (parseYaml(c.before.content) as Record<string, unknown> | null) : undefined;
      if (!before || !ownedBy(before, project)) {
        throw new UserError(
          `refusing to delete CronJob ${namespace}/${name}: it does not carry project ${project}'s sched labels`,
        );
      }
      await this.kubectl.delete(context ? { namespace, context } : { namespace }, name);
    }
  }

  private async locate(project: string, job: string): Promise<{ target: KubeTarget; name: string }> {
    const installed = await this.readInstalled(project);
    const hit = installed.find((a) => a.job === job);
    if (!hit) {
      throw new UserError(
        `job '${job}' of project ${project} has no CronJob on the cluster`,
        'Run `sched apply` first.',
      );
    }
    const { context, namespace, name } = splitArtifactId(hit.id);
    return { target: context ? { namespace, context } : { namespace }, name };
  }

  /** `kubectl create job --from=cronjob/NAME NAME-manual-<time>` (name trimmed to 63 characters). */
  async runNow(project: string, job: string): Promise<void> {
    const { target, name } = await this.locate(project, job);
    const suffix = `-manual-${Math.floor(this.clock.now().getTime() / 1000).toString(36)}`;
    const base = name.slice(0, JOB_NAME_LIMIT - suffix.length).replace(/-+$/, '');
    await this.kubectl.createJobFrom(target, name, `${base}${suffix}`);
  }

  /** Each owned CronJob's status (last schedule, last success, active runs), for `sched status`. */
  async status(project: string): Promise<CronJobStatus[]> {
    const out: CronJobStatus[] = [];
    for (const target of this.sortedTargets()) {
      for (const o of await this.kubectl.listOwned(target, project))
        if (ownedBy(o, project)) out.push(statusFromObject(o, target.context));
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The Jobs a job's CronJob created, newest first, for `sched history`. */
  async history(project: string, job: string): Promise<JobRun[]> {
    const { target } = await this.locate(project, job);
    const runs = (await this.kubectl.listJobs(target, project, job)).map(jobRunFromObject);
    return runs.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
  }
}

export { cronJobName };
