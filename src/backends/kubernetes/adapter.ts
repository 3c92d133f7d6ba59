/**
 * The kubectl calls of the Kubernetes backend, through the Runner port. Every call names its
 * context (when set) and namespace explicitly, so the user's current kubectl context/namespace
 * never decides where sched writes.
 */
import type { Runner } from '../../platform/ports.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROJECT_LABEL, FIELD_MANAGER } from './render.js';
import { kubectlError, parseKubectlObjects } from './parse.js';

type Obj = Record<string, unknown>;

/** Where CronJobs live: a namespace, in a kubectl context (undefined: the current context). */
export interface KubeTarget {
  namespace: string;
  context?: string;
}

export class Kubectl {
  constructor(
    private readonly runner: Runner,
    readonly binary = 'kubectl',
  ) {}

  private async call(
    context: string | undefined,
    args: string[],
    what: string,
    input?: string,
  ): Promise<string> {
    const argv = [...(context ? ['--context', context] : []), ...args];
    const result = await this.runner.run(this.binary, argv, input === undefined ? undefined : { input });
    if (result.exitCode !== 0) throw kubectlError(argv, result.exitCode, result.stderr, what);
    return result.stdout;
  }

  /** Is kubectl installed? Client only: never contacts a cluster. */
  async clientVersion(): Promise<string | undefined> {
    try {
      const r = await this.runner.run(this.binary, ['version', '--client', '-o', 'json']);
      if (r.exitCode !== 0) return undefined;
      const v = JSON.parse(r.stdout) as { clientVersion?: { gitVersion?: string } };
      return v.clientVersion?.gitVersion ?? 'unknown version';
    } catch {
      return undefined;
    }
  }

  /** The project's CronJobs in one namespace: ONE `kubectl get` with both ownership labels. */
  async listOwned(target: KubeTarget, project: string): Promise<Obj[]> {
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${PROJECT_LABEL}=${project}`;
    const out = await this.call(
      target.context,
      ['get', 'cronjobs', '-n', target.namespace, '-l', selector, '-o', 'json'],
      `reading CronJobs in namespace ${target.namespace}`,
    );
    return parseKubectlObjects(out);
  }

  /**
   * Fallback when no namespace is known (e.g. `destroy` with a fresh backend): the project's
   * CronJobs in all namespaces of the current context (needs cluster-wide list permission).
   */
  async listOwnedAllNamespaces(project: string): Promise<Obj[]> {
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${PROJECT_LABEL}=${project}`;
    const out = await this.call(
      undefined,
      ['get', 'cronjobs', '--all-namespaces', '-l', selector, '-o', 'json'],
      'reading CronJobs in all namespaces',
    );
    return parseKubectlObjects(out);
  }

  /** The named CronJobs that exist (any labels), for name-clash checks before a create. */
  async getByName(target: KubeTarget, names: string[]): Promise<Obj[]> {
    if (names.length === 0) return [];
    const out = await this.call(
      target.context,
      ['get', 'cronjobs', ...names, '-n', target.namespace, '-o', 'json', '--ignore-not-found'],
      `checking CronJob names in namespace ${target.namespace}`,
    );
    return parseKubectlObjects(out);
  }

  /** ONE server-side apply of many documents (multi-document YAML on stdin). */
  async apply(context: string | undefined, documents: string[], force: boolean): Promise<string> {
    const args = [
      'apply',
      '--server-side',
      `--field-manager=${FIELD_MANAGER}`,
      ...(force ? ['--force-conflicts'] : []),
      '-f',
      '-',
    ];
    return this.call(context, args, 'applying CronJobs', documents.map((d) => `---\n${d}`).join(''));
  }

  async delete(target: KubeTarget, name: string): Promise<void> {
    await this.call(
      target.context,
      ['delete', 'cronjob', name, '-n', target.namespace, '--ignore-not-found'],
      `deleting CronJob ${name} in namespace ${target.namespace}`,
    );
  }

  /** `kubectl create job --from=cronjob/NAME JOB`: a run now, outside the schedule. */
  async createJobFrom(target: KubeTarget, cronJob: string, jobName: string): Promise<void> {
    await this.call(
      target.context,
      ['create', 'job', `--from=cronjob/${cronJob}`, jobName, '-n', target.namespace],
      `starting ${cronJob} now`,
    );
  }

  /** The Jobs the CronJob of `job` created (for history). */
  async listJobs(target: KubeTarget, project: string, job: string): Promise<Obj[]> {
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${PROJECT_LABEL}=${project},sched.dev/job=${job}`;
    const out = await this.call(
      target.context,
      ['get', 'jobs', '-n', target.namespace, '-l', selector, '-o', 'json'],
      `reading Jobs in namespace ${target.namespace}`,
    );
    return parseKubectlObjects(out);
  }
}
