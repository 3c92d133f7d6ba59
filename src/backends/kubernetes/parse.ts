/**
 * kubectl output → sched's view, pure: installed CronJobs as artifacts (projected onto the fields
 * sched sets, see render.ts `canonicalCronJob`), and kubectl's error text as typed errors.
 */
import { ExternalCommandError, UserError } from '../../errors.js';
import type { InstalledArtifact } from '../types.js';
import {
  artifactId,
  canonicalCronJob,
  cronJobHash,
  HASH_ANNOTATION,
  JOB_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  PROJECT_LABEL,
  toYaml,
} from './render.js';

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/**
 * The objects in `kubectl get … -o json` output: a List's items, or the single object kubectl
 * prints when one name was asked for; none for empty output (`--ignore-not-found`).
 */
export function parseKubectlObjects(stdout: string): Obj[] {
  if (stdout.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new UserError(
      'kubectl printed something that is not JSON',
      'run the same kubectl command by hand to see what it says',
    );
  }
  const o = asObj(parsed);
  if (!o) return [];
  if (Array.isArray(o.items)) return o.items.map(asObj).filter((x): x is Obj => x !== undefined);
  return [o];
}

/** The labels of an object. */
export function labelsOf(o: Obj): Record<string, string> {
  const labels = asObj(asObj(o.metadata)?.labels) ?? {};
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** True when the object carries both ownership labels for `project`. */
export function ownedBy(o: Obj, project: string): boolean {
  const l = labelsOf(o);
  return l[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && l[PROJECT_LABEL] === project;
}

/**
 * An installed CronJob as an artifact. Only objects with both labels of `project` are returned
 * (the label selector already asked for that; this is the second lock). An owned object without
 * sched's hash annotation gets no recordedHash, so the plan treats it as not written by sched.
 */
export function installedFromObject(
  o: Obj,
  project: string,
  context?: string,
): InstalledArtifact | undefined {
  if (!ownedBy(o, project)) return undefined;
  const meta = asObj(o.metadata) ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const annotations = asObj(meta.annotations) ?? {};
  const recorded = annotations[HASH_ANNOTATION];
  const spec = asObj(o.spec) ?? {};
  return {
    id: artifactId(namespace, name, context),
    job: labelsOf(o)[JOB_LABEL] ?? '',
    kind: 'cronjob',
    content: toYaml(canonicalCronJob(o)),
    recordedHash:
      typeof recorded === 'string' && /^sha256:[0-9a-f]{16}$/.test(recorded) ? recorded : undefined,
    actualHash: cronJobHash(o),
    // A CronJob is registered as soon as it exists; suspension is part of its content.
    registered: spec.schedule !== undefined,
  };
}

/** Run status of a CronJob from its `status` block. */
export interface CronJobStatus {
  job: string;
  id: string;
  suspended: boolean;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  active: number;
}

export function statusFromObject(o: Obj, context?: string): CronJobStatus {
  const meta = asObj(o.metadata) ?? {};
  const status = asObj(o.status) ?? {};
  return {
    job: labelsOf(o)[JOB_LABEL] ?? '',
    id: artifactId(String(meta.namespace ?? ''), String(meta.name ?? ''), context),
    suspended: asObj(o.spec)?.suspend === true,
    lastScheduleTime: typeof status.lastScheduleTime === 'string' ? status.lastScheduleTime : undefined,
    lastSuccessfulTime: typeof status.lastSuccessfulTime === 'string' ? status.lastSuccessfulTime : undefined,
    active: Array.isArray(status.active) ? status.active.length : 0,
  };
}

/** One Job run of a CronJob, from `kubectl get jobs -o json`. */
export interface JobRun {
  name: string;
  startTime?: string;
  completionTime?: string;
  result: 'running' | 'succeeded' | 'failed';
}

export function jobRunFromObject(o: Obj): JobRun {
  const status = asObj(o.status) ?? {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(asObj) : [];
  const has = (type: string) => conditions.some((c) => c?.type === type && c?.status === 'True');
  return {
    name: String(asObj(o.metadata)?.name ?? ''),
    startTime: typeof status.startTime === 'string' ? status.startTime : undefined,
    completionTime: typeof status.completionTime === 'string' ? status.completionTime : undefined,
    result: has('Failed') ? 'failed' : has('Complete') ? 'succeeded' : 'running',
  };
}

/** A conflict reported by server-side apply: which managers own which fields. */
export interface ApplyConflict {
  managers: string[];
  fields: string[];
}

/** Reads kubectl's "Apply failed with N conflict(s)" text. */
export function parseConflict(stderr: string): ApplyConflict | undefined {
  if (!/Apply failed with \d+ conflicts?/.test(stderr)) return undefined;
  const managers = new Set<string>();
  const fields = new Set<string>();
  for (const m of stderr.matchAll(/conflicts? with "([^"]+)"(?: using [^:\n]+)?:\s*(\.[^\s]+)?/g)) {
    managers.add(m[1]!);
    if (m[2]) fields.add(m[2]);
  }
  for (const m of stderr.matchAll(/^\s*- (\.[^\s]+)/gm)) fields.add(m[1]!);
  return { managers: [...managers], fields: [...fields] };
}

/**
 * Turns a failed kubectl call into an error the user can act on. `what` says what sched was
 * doing ("reading CronJobs in namespace billing"). Unknown failures become ExternalCommandError.
 */
export function kubectlError(argv: readonly string[], exitCode: number, stderr: string, what: string): Error {
  const text = stderr.trim();
  const conflict = parseConflict(text);
  if (conflict) {
    return new UserError(
      `${what}: another field manager (${conflict.managers.join(', ') || 'unknown'}) owns fields sched wants to change: ${conflict.fields.join(', ') || '(not listed)'}`,
      'sched does not take fields over from other managers automatically (it never passes --force-conflicts on its own). ' +
        "If the object is meant to be sched's, re-apply with `kubectl apply --server-side --force-conflicts --field-manager=sched`, " +
        'or stop the other tool (Argo CD, Flux, kubectl edit) from managing it.',
    );
  }
  const tz = /unknown time zone ([^\s"]+)/.exec(text);
  if (tz) {
    return new UserError(
      `${what}: the cluster does not know the time zone ${tz[1]}`,
      "Use an IANA zone name the cluster's tzdata has (e.g. Europe/Berlin, America/New_York), or update the cluster's time zone database.",
    );
  }
  const ns = /namespaces "([^"]+)" not found/.exec(text);
  if (ns) {
    return new UserError(
      `${what}: namespace ${ns[1]} does not exist`,
      `Create it (\`kubectl create namespace ${ns[1]}\`) or set kubernetes.namespace to an existing one.`,
    );
  }
  if (/\(Forbidden\)|is forbidden/.test(text)) {
    const line = text.split('\n').find((l) => /forbidden/i.test(l)) ?? text;
    return new UserError(
      `${what}: the cluster refused: ${line.replace(/^Error from server \(Forbidden\):\s*/, '')}`,
      'sched needs get, list, patch, create and delete on cronjobs.batch (and create on jobs.batch for run-now) in that namespace; check with `kubectl auth can-i patch cronjobs -n NAMESPACE`.',
    );
  }
  const ctx = /context "([^"]+)" does not exist/.exec(text);
  if (ctx) {
    return new UserError(
      `${what}: kubectl has no context ${ctx[1]}`,
      'List contexts with `kubectl config get-contexts` and fix kubernetes.context.',
    );
  }
  if (
    /Unable to connect to the server|The connection to the server .* was refused|no configuration has been provided/.test(
      text,
    )
  ) {
    return new UserError(
      `${what}: kubectl cannot reach a cluster (${text.split('\n')[0]})`,
      'Check KUBECONFIG and `kubectl cluster-info`.',
    );
  }
  const notFound = /\(NotFound\): (.*)/.exec(text);
  if (notFound) return new UserError(`${what}: ${notFound[1]}`);
  return new ExternalCommandError(['kubectl', ...argv], exitCode, stderr);
}
