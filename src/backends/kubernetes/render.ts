/**
 * Job → batch/v1 CronJob, pure and byte-stable. The object is built by {@link canonicalCronJob},
 * the same projection that reads installed objects back (parse.ts), so "what sched wrote" and
 * "what is on the cluster" are serialised by one function and compare field by field.
 *
 * Mapping (docs/kubernetes.md has the table):
 * - schedule → `spec.schedule` (presets already expanded; refused where robfig/cron reads it differently)
 * - timezone → `spec.timeZone`; overlap skip/replace/allow → Forbid/Replace/Allow (queue refused)
 * - catch_up → `startingDeadlineSeconds` (see {@link startingDeadlineSeconds})
 * - timeout → pod `activeDeadlineSeconds` (per attempt); retries.max → Job `backoffLimit`
 * - enabled false → `suspend: true` (the CronJob stays registered, suspended)
 * - command → container `command`/`args`; env → `env`; env_from_secret → `envFrom.secretRef`
 */
import { Document, parse as parseYaml, visit } from 'yaml';
import { InexpressibleError } from '../../errors.js';
import type { Job } from '../../model/job.js';
import { contentHash } from '../header.js';
import type { Artifact, RenderContext } from '../types.js';
import { fireGaps, kubernetesScheduleProblem } from './cron.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const PROJECT_LABEL = 'sched.dev/project';
export const JOB_LABEL = 'sched.dev/job';
export const HASH_ANNOTATION = 'sched.dev/hash';
export const MANAGED_BY_VALUE = 'sched';
export const FIELD_MANAGER = 'sched';

/**
 * A CronJob name may have at most 52 characters: the controller appends an 11-character suffix
 * to name each Job, and Job names must stay within 63.
 */
export const CRONJOB_NAME_LIMIT = 52;

/** Kubernetes' cron controller defaults, written out so drift never depends on server defaults. */
export const DEFAULT_SUCCESSFUL_HISTORY = 3;
export const DEFAULT_FAILED_HISTORY = 1;
/** `catch_up: false`: a start more than this late is skipped (the controller syncs every 10 s). */
export const NO_CATCH_UP_DEADLINE_SECONDS = 60;

/** The CronJob name of a job: `<project>-<job>`. */
export function cronJobName(project: string, job: string): string {
  return `${project}-${job}`;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Why `<project>-<job>` cannot name a CronJob, or undefined when it can. For the config
 * validator: call it for every job of a project whose backend is kubernetes.
 */
export function checkName(project: string, job: string): string | undefined {
  const name = cronJobName(project, job);
  if (name.length > CRONJOB_NAME_LIMIT) {
    return (
      `the CronJob name '${name}' has ${name.length} characters; Kubernetes allows ${CRONJOB_NAME_LIMIT} ` +
      `(project + '-' + job), so shorten the job name to at most ${Math.max(0, CRONJOB_NAME_LIMIT - project.length - 1)} characters or the project name`
    );
  }
  if (!DNS_LABEL.test(name)) {
    return `the CronJob name '${name}' is not a valid Kubernetes name (lower-case letters, digits and '-', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/**
 * `startingDeadlineSeconds` for a schedule.
 * - catch_up true: the longest gap between two fire times, so that after any controller or
 *   cluster outage the most recent missed run is still inside the window and starts once; capped
 *   at 99 × the shortest gap, because the controller gives up (older releases: starts nothing;
 *   newer: warns `TooManyMissedTimes`) when it counts more than 100 missed starts in the window.
 * - catch_up false: 60 s — a late start beyond a minute is skipped, like on every other backend.
 */
export function startingDeadlineSeconds(expr: string, catchUp: boolean): number {
  if (!catchUp) return NO_CATCH_UP_DEADLINE_SECONDS;
  const gaps = fireGaps(expr);
  if (!gaps) return NO_CATCH_UP_DEADLINE_SECONDS;
  return Math.max(NO_CATCH_UP_DEADLINE_SECONDS, Math.min(gaps.max, 99 * gaps.min));
}

/**
 * Kubernetes expands `$(VAR)` in command, args and env values and turns `$$` into `$`.
 * Doubling every `$` makes the text reach the process exactly as written.
 */
export function escapeDollar(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/** Problems that make the job inexpressible as a CronJob; empty when it renders. Pure. */
export function checkJob(job: Job): string[] {
  const problems: string[] = [];
  const k = job.kubernetes;
  if (!k || !k.namespace)
    problems.push('the kubernetes backend needs `kubernetes.namespace` (in defaults or on the job)');
  if (!k || !k.image)
    problems.push(
      'the kubernetes backend needs `kubernetes.image`: the container image that runs the command',
    );
  const nameProblem = checkName(job.project, job.name);
  if (nameProblem) problems.push(nameProblem);
  if (k?.namespace && !DNS_LABEL.test(k.namespace))
    problems.push(`namespace '${k.namespace}' is not a valid Kubernetes namespace name`);
  if (job.schedule.kind === 'event') {
    problems.push(
      `schedule '${job.schedule.source}' is an event (${job.schedule.event}); a cluster has no boot or wake of its own — use a cron schedule`,
    );
  } else if (job.schedule.kind === 'at') {
    problems.push(
      `one-shot schedules ('at') have no CronJob form — run it once with \`kubectl create job\`, or use a cron schedule`,
    );
  } else {
    const p = kubernetesScheduleProblem(job.schedule.expr);
    if (p) problems.push(p);
  }
  if (job.timezone === '' || job.timezone.toLowerCase() === 'local') {
    problems.push('timezone must be an explicit IANA zone such as Europe/Berlin for Kubernetes');
  }
  if (job.overlap === 'queue') {
    problems.push(
      'overlap: queue has no CronJob equivalent (concurrencyPolicy is Allow, Forbid or Replace) — use skip, replace or allow',
    );
  }
  if (job.jitterSeconds > 0) {
    problems.push('jitter has no CronJob equivalent — remove `jitter` for this job');
  }
  if (job.retries.max > 0 && job.retries.delaySeconds > 0) {
    problems.push(
      'retries.delay cannot be honoured: Kubernetes retries failed pods with its own back-off (10 s, 20 s, 40 s… capped at 6 min) — set retries.delay to 0 to accept that',
    );
  }
  if (job.envFile) {
    problems.push(
      'env_file is a file on this machine and cannot reach the cluster — put the variables in a Secret and name it in `kubernetes.env_from_secret`',
    );
  }
  if (job.onFailure) {
    problems.push(
      'on_failure runs through `sched run`, which does not run inside the cluster — remove it for this job',
    );
  }
  const wd = k?.workingDir;
  if (wd !== undefined && !wd.startsWith('/'))
    problems.push(`kubernetes.working_dir '${wd}' must be an absolute path inside the container`);
  return problems;
}

type Labels = Record<string, string>;

/** The three ownership labels. */
export function ownershipLabels(project: string, job: string): Labels {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [PROJECT_LABEL]: project, [JOB_LABEL]: job };
}

function containerCommand(job: Job): { command: string[]; args?: string[] } {
  if ('shell' in job.command) return { command: ['/bin/sh', '-c', escapeDollar(job.command.shell)] };
  const argv = job.command.argv.map(escapeDollar);
  return argv.length > 1 ? { command: [argv[0]!], args: argv.slice(1) } : { command: argv };
}

function stringifyResources(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(stringifyResources);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyResources(v)]));
  }
  return value;
}

/** The CronJob object (without the hash annotation), before canonical projection. */
export function buildCronJob(job: Job): Record<string, unknown> {
  if (job.schedule.kind !== 'cron') throw new Error('unreachable: checked');
  const k = job.kubernetes!;
  const labels = ownershipLabels(job.project, job.name);
  const container: Record<string, unknown> = {
    name: job.name,
    image: k.image,
    ...containerCommand(job),
    workingDir: k.workingDir,
    env: Object.keys(job.env)
      .sort()
      .map((name) => ({ name, value: escapeDollar(job.env[name]!) })),
    envFrom: k.envFromSecret ? [{ secretRef: { name: k.envFromSecret } }] : undefined,
    resources: k.resources ? stringifyResources(k.resources) : undefined,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: cronJobName(job.project, job.name), namespace: k.namespace, labels },
    spec: {
      schedule: job.schedule.expr,
      timeZone: job.timezone,
      concurrencyPolicy: { skip: 'Forbid', replace: 'Replace', allow: 'Allow', queue: 'Forbid' }[job.overlap],
      startingDeadlineSeconds: startingDeadlineSeconds(job.schedule.expr, job.catchUp),
      suspend: !job.enabled,
      successfulJobsHistoryLimit: k.history?.successful ?? DEFAULT_SUCCESSFUL_HISTORY,
      failedJobsHistoryLimit: k.history?.failed ?? DEFAULT_FAILED_HISTORY,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: job.retries.max,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              serviceAccountName: k.serviceAccount,
              activeDeadlineSeconds: job.timeoutSeconds,
              containers: [container],
            },
          },
        },
      },
    },
  };
}

// ---- canonical projection (shared with parse.ts) ----

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function pickLabels(v: unknown): Labels | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const out: Labels = {};
  for (const key of [MANAGED_BY_LABEL, PROJECT_LABEL, JOB_LABEL]) {
    if (typeof o[key] === 'string') out[key] = o[key];
  }
  return Object.keys(out).length ? out : undefined;
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  const o = obj(v);
  if (!o) return v;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => [k, sortDeep(o[k])]),
  );
}

/** Drops undefined values and empty objects/arrays, keeping key order. */
function compact(v: unknown): unknown {
  if (Array.isArray(v)) {
    const a = v.map(compact);
    return a.length ? a : undefined;
  }
  const o = obj(v);
  if (!o) return v;
  const out: Obj = {};
  for (const [k, val] of Object.entries(o)) {
    const c = compact(val);
    if (c !== undefined) out[k] = c;
  }
  return Object.keys(out).length ? out : undefined;
}

function projectContainer(v: unknown): Obj | undefined {
  const c = obj(v);
  if (!c) return undefined;
  const env = Array.isArray(c.env)
    ? c.env.map((e) => {
        const o = obj(e) ?? {};
        // The API server drops an empty `value` (omitempty): read it back as ''.
        return o.valueFrom !== undefined
          ? { name: o.name, valueFrom: sortDeep(o.valueFrom) }
          : { name: o.name, value: typeof o.value === 'string' ? o.value : '' };
      })
    : undefined;
  return {
    name: c.name,
    image: c.image,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    env,
    envFrom: Array.isArray(c.envFrom) ? c.envFrom.map(sortDeep) : undefined,
    resources: sortDeep(c.resources),
  };
}

/**
 * The fields sched sets, in one fixed order, from any CronJob object (rendered or installed).
 * Server defaults (imagePullPolicy, dnsPolicy, terminationMessagePath…), status, managedFields,
 * uid/resourceVersion and labels or annotations sched does not own are left out, so drift is
 * a change to a field sched sets.
 */
export function canonicalCronJob(input: unknown, keepHash = true): Obj {
  const o = obj(input) ?? {};
  const meta = obj(o.metadata) ?? {};
  const spec = obj(o.spec) ?? {};
  const jt = obj(spec.jobTemplate) ?? {};
  const jtSpec = obj(jt.spec) ?? {};
  const tpl = obj(jtSpec.template) ?? {};
  const podSpec = obj(tpl.spec) ?? {};
  const annotations = obj(meta.annotations);
  const hash =
    keepHash && typeof annotations?.[HASH_ANNOTATION] === 'string' ? annotations[HASH_ANNOTATION] : undefined;
  const projected = {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: pickLabels(meta.labels),
      annotations: hash === undefined ? undefined : { [HASH_ANNOTATION]: hash },
    },
    spec: {
      schedule: spec.schedule,
      timeZone: spec.timeZone,
      concurrencyPolicy: spec.concurrencyPolicy,
      startingDeadlineSeconds: spec.startingDeadlineSeconds,
      suspend: spec.suspend,
      successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: spec.failedJobsHistoryLimit,
      jobTemplate: {
        metadata: { labels: pickLabels(obj(jt.metadata)?.labels) },
        spec: {
          backoffLimit: jtSpec.backoffLimit,
          template: {
            metadata: { labels: pickLabels(obj(tpl.metadata)?.labels) },
            spec: {
              restartPolicy: podSpec.restartPolicy,
              serviceAccountName: podSpec.serviceAccountName,
              activeDeadlineSeconds: podSpec.activeDeadlineSeconds,
              containers: Array.isArray(podSpec.containers)
                ? podSpec.containers.map(projectContainer)
                : undefined,
            },
          },
        },
      },
    },
  };
  // `suspend: false` must survive compaction (false is a value), which compact() keeps.
  return (compact(projected) as Obj | undefined) ?? {};
}

/** Would a YAML 1.1 reader (kubectl's go-yaml) take this plain scalar for a non-string (`yes`, `on`, `0o17`)? */
function ambiguousIn11(text: string): boolean {
  try {
    return typeof parseYaml(text, { version: '1.1', logLevel: 'silent' }) !== 'string';
  } catch {
    return false;
  }
}

/**
 * The YAML text of a canonical object: yaml package (YAML 1.2), no line folding, and strings
 * that YAML 1.1 would read as booleans or numbers double-quoted, because kubectl parses
 * manifests with a YAML 1.1 library (`value: yes` would become `true`).
 */
export function toYaml(o: Obj): string {
  const doc = new Document(o);
  visit(doc, {
    Scalar(_key, node) {
      if (
        typeof node.value === 'string' &&
        node.value !== '' &&
        !node.value.includes('\n') &&
        ambiguousIn11(node.value)
      )
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

/** Hash of a CronJob's sched-set fields, the hash annotation excluded. */
export function cronJobHash(o: unknown): string {
  return contentHash(toYaml(canonicalCronJob(o, false)));
}

/** The artifact id of a CronJob: `<namespace>/<name>`, prefixed with `<context>:` when a context is set. */
export function artifactId(namespace: string, name: string, context?: string): string {
  return `${context ? `${context}:` : ''}${namespace}/${name}`;
}

/** Splits an artifact id back into context, namespace and name. */
export function splitArtifactId(id: string): { context?: string; namespace: string; name: string } {
  const slash = id.lastIndexOf('/');
  const name = id.slice(slash + 1);
  const rest = id.slice(0, slash);
  const colon = rest.lastIndexOf(':');
  return colon < 0
    ? { namespace: rest, name }
    : { context: rest.slice(0, colon), namespace: rest.slice(colon + 1), name };
}

/** The job's CronJob manifest: YAML text with the hash annotation, and that hash. */
export function renderCronJob(job: Job): { content: string; hash: string; object: Obj } {
  const problems = checkJob(job);
  if (problems.length) throw new InexpressibleError('kubernetes', job.name, problems.join('; '));
  const built = buildCronJob(job);
  const hash = cronJobHash(built);
  const meta = built.metadata as Obj;
  meta.annotations = { [HASH_ANNOTATION]: hash };
  const object = canonicalCronJob(built);
  return { content: toYaml(object), hash, object };
}

/** The job's artifact: one CronJob. */
export function renderArtifacts(job: Job): Artifact[] {
  const { content, hash } = renderCronJob(job);
  const k = job.kubernetes!;
  return [
    {
      id: artifactId(k.namespace, cronJobName(job.project, job.name), k.context),
      job: job.name,
      kind: 'cronjob',
      content,
      hash,
    },
  ];
}

/**
 * For `sched render --backend kubernetes --out DIR`: one YAML document per CronJob, named
 * `<namespace>-<name>.yaml` (paused jobs render as `suspend: true`). Throws InexpressibleError
 * for a job that cannot be a CronJob.
 */
export function renderManifests(jobs: Job[], _ctx?: RenderContext): { file: string; content: string }[] {
  return jobs
    .map((job) => {
      const { content } = renderCronJob(job);
      return { file: `${job.kubernetes!.namespace}-${cronJobName(job.project, job.name)}.yaml`, content };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}
