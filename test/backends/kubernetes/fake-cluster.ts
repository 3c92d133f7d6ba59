/**
 * A fake cluster behind the Runner port: it understands the kubectl calls the backend makes and
 * keeps CronJob objects in memory with what a real API server adds — server defaults, uid,
 * resourceVersion, status, managedFields — and server-side-apply field ownership:
 * - an apply by manager M conflicts on a field another manager owns with a different value
 *   (unless --force-conflicts); fields M applied before and no longer applies are removed;
 * - an update (kubectl edit) takes ownership of the fields it changes.
 * Arrays are owned atomically (a simplification of SSA's keyed lists; enough for one container).
 * kubectl's messages follow the formats kubectl prints (see test/fixtures/kubectl/).
 */
import { parseAllDocuments } from 'yaml';
import type { RunOptions, RunResult, Runner } from '../../../src/platform/ports.js';

type Obj = Record<string, unknown>;
type Path = string[];

interface Stored {
  object: Obj;
  /** Leaf path (joined with \0) → managers. */
  owners: Map<string, Set<string>>;
}

const IDENTITY = new Set(['apiVersion', 'kind', 'metadata\0name', 'metadata\0namespace']);

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function leaves(o: unknown, prefix: Path = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (isObj(o) && (prefix.length === 0 || Object.keys(o).length > 0)) {
    for (const [k, v] of Object.entries(o)) leaves(v, [...prefix, k], out);
  } else if (prefix.length) {
    out.set(prefix.join('\0'), o);
  }
  return out;
}

function getPath(o: Obj, path: Path): unknown {
  let cur: unknown = o;
  for (const p of path) cur = isObj(cur) ? cur[p] : undefined;
  return cur;
}

function setPath(o: Obj, path: Path, value: unknown): void {
  let cur = o;
  for (const p of path.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p] as Obj;
  }
  cur[path[path.length - 1]!] = clone(value);
}

function deletePath(o: Obj, path: Path): void {
  let cur = o;
  for (const p of path.slice(0, -1)) {
    if (!isObj(cur[p])) return;
    cur = cur[p] as Obj;
  }
  delete cur[path[path.length - 1]!];
}

function dotted(key: string): string {
  return (
    '.' +
    key
      .split('\0')
      .map((p) => (/^[A-Za-z0-9]+$/.test(p) ? p : `[${JSON.stringify(p)}]`))
      .join('.')
      .replace(/\.\[/g, '[')
  );
}

/**
 * Does the live value already say what the config says? Keys the config does not mention
 * (server defaults inside list elements) are ignored, and an omitted empty string equals ''
 * (omitempty), as server-side apply's structured merge would see it.
 */
function sameAsConfig(cur: unknown, cfg: unknown): boolean {
  if (Array.isArray(cfg))
    return Array.isArray(cur) && cur.length === cfg.length && cfg.every((c, i) => sameAsConfig(cur[i], c));
  if (isObj(cfg)) return isObj(cur) && Object.keys(cfg).every((k) => sameAsConfig(cur[k], cfg[k]));
  if (cfg === '' && cur === undefined) return true;
  return JSON.stringify(cur) === JSON.stringify(cfg);
}

function result(exitCode: number, stdout = '', stderr = ''): RunResult {
  return { exitCode, stdout, stderr };
}

function matchesSelector(o: Obj, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = (isObj(o.metadata) && isObj(o.metadata.labels) ? o.metadata.labels : {}) as Record<
    string,
    unknown
  >;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels[k!] === v;
  });
}

function validTimeZone(zone: string): boolean {
  if (zone === '' || zone.toLowerCase() === 'local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Server defaults the API server fills into a CronJob (a representative set). */
function addServerDefaults(o: Obj): void {
  const spec = o.spec as Obj;
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jt = (spec.jobTemplate ??= {}) as Obj;
  const jts = (jt.spec ??= {}) as Obj;
  jts.backoffLimit ??= 6;
  jts.completionMode ??= 'NonIndexed';
  jts.suspend ??= false;
  jts.podReplacementPolicy ??= 'TerminatingOrFailed';
  const tpl = (jts.template ??= {}) as Obj;
  const tmeta = (tpl.metadata ??= {}) as Obj;
  tmeta.creationTimestamp ??= null;
  const ps = (tpl.spec ??= {}) as Obj;
  ps.dnsPolicy ??= 'ClusterFirst';
  ps.schedulerName ??= 'default-scheduler';
  ps.securityContext ??= {};
  ps.terminationGracePeriodSeconds ??= 30;
  for (const c of (ps.containers as Obj[] | undefined) ?? []) {
    c.imagePullPolicy ??=
      String(c.image).endsWith(':latest') || !String(c.image).includes(':') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    // The API server omits an empty env value (omitempty).
    for (const e of (c.env as Obj[] | undefined) ?? []) if (e.value === '') delete e.value;
  }
}

export interface FakeClusterOptions {
  namespaces?: string[];
  contexts?: string[];
  user?: string;
}

export class FakeCluster implements Runner {
  readonly namespaces: Set<string>;
  readonly contexts: Set<string> | undefined;
  readonly objects = new Map<string, Stored>();
  readonly jobs: Obj[] = [];
  readonly calls: { args: string[]; input?: string }[] = [];
  /** `verb namespace` pairs the user may not do (`list billing`, `patch billing`, `delete *`). */
  readonly forbidden = new Set<string>();
  private rv = 1000;
  private uid = 0;

  constructor(private readonly options: FakeClusterOptions = {}) {
    this.namespaces = new Set(options.namespaces ?? ['default']);
    this.contexts = options.contexts ? new Set(options.contexts) : undefined;
  }

  private isForbidden(verb: string, ns: string): boolean {
    return this.forbidden.has(`${verb} ${ns}`) || this.forbidden.has(`${verb} *`);
  }

  private forbiddenMessage(verb: string, resource: string, ns: string, name?: string): string {
    const user = this.options.user ?? 'system:serviceaccount:ci:deployer';
    return `Error from server (Forbidden): ${resource}.batch${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "batch" in the namespace "${ns}"\n`;
  }

  /** The full object as the API server would return it. */
  get(namespace: string, name: string): Obj | undefined {
    const s = this.objects.get(`${namespace}/${name}`);
    return s ? this.render(s) : undefined;
  }

  private render(s: Stored): Obj {
    const o = clone(s.object);
    const byManager = new Map<string, string[]>();
    for (const [path, managers] of s.owners)
      for (const m of managers) byManager.set(m, [...(byManager.get(m) ?? []), path]);
    const managedFields = [...byManager.entries()].sort().map(([manager, paths]) => {
      const fieldsV1: Obj = {};
      for (const p of paths.sort())
        setPath(
          fieldsV1,
          p.split('\0').map((x) => `f:${x}`),
          {},
        );
      return {
        apiVersion: 'batch/v1',
        fieldsType: 'FieldsV1',
        fieldsV1,
        manager,
        operation: manager === 'sched' ? 'Apply' : 'Update',
        time: '2026-01-01T00:00:00Z',
      };
    });
    (o.metadata as Obj).managedFields = managedFields;
    return o;
  }

  /** Puts an object straight into the cluster, owned by `manager` (another tool, or no labels). */
  seed(object: Obj, manager = 'kubectl-client-side-apply'): void {
    const o = clone(object);
    const meta = o.metadata as Obj;
    const owners = new Map<string, Set<string>>();
    for (const key of leaves(o).keys()) if (!IDENTITY.has(key)) owners.set(key, new Set([manager]));
    this.finish(o, meta);
    this.objects.set(`${meta.namespace}/${meta.name}`, { object: o, owners });
  }

  private finish(o: Obj, meta: Obj): void {
    meta.uid ??= `00000000-0000-4000-8000-${String(++this.uid).padStart(12, '0')}`;
    meta.creationTimestamp ??= '2026-01-01T00:00:00Z';
    meta.resourceVersion = String(++this.rv);
    meta.generation = Number(meta.generation ?? 0) + 1;
    addServerDefaults(o);
    o.status ??= {};
  }

  /** A `kubectl edit`-style change: an update that takes ownership of the fields it changes. */
  edit(namespace: string, name: string, mutate: (o: Obj) => void, manager = 'kubectl-edit'): void {
    const s = this.objects.get(`${namespace}/${name}`);
    if (!s) throw new Error(`no ${namespace}/${name}`);
    const before = leaves(s.object);
    const next = clone(s.object);
    mutate(next);
    const after = leaves(next);
    for (const [k, v] of after) {
      if (IDENTITY.has(k)) continue;
      if (!before.has(k) || JSON.stringify(before.get(k)) !== JSON.stringify(v))
        s.owners.set(k, new Set([manager]));
    }
    for (const k of before.keys()) if (!after.has(k)) s.owners.delete(k);
    s.object = next;
    (next.metadata as Obj).resourceVersion = String(++this.rv);
  }

  async run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.calls.push({ args: [...args], input: options?.input });
    if (command !== 'kubectl') return result(127, '', `${command}: not found\n`);
    let a = [...args];
    if (a[0] === '--context') {
      const ctx = a[1]!;
      if (this.contexts && !this.contexts.has(ctx))
        return result(1, '', `error: context "${ctx}" does not exist\n`);
      a = a.slice(2);
    }
    const flag = (name: string): string | undefined => {
      const i = a.indexOf(name);
      return i >= 0 ? a[i + 1] : undefined;
    };
    const ns = flag('-n') ?? 'default';
    const [verb, ...rest] = a;
    switch (verb) {
      case 'version':
        return result(
          0,
          JSON.stringify(
            { clientVersion: { gitVersion: 'v1.31.0', platform: 'linux/amd64' }, kustomizeVersion: 'v5.4.2' },
            null,
            2,
          ) + '\n',
        );
      case 'get':
        return this.doGet(
          rest,
          ns,
          a.includes('--all-namespaces') || a.includes('-A'),
          flag('-l'),
          a.includes('--ignore-not-found'),
        );
      case 'apply':
        return this.doApply(
          options?.input ?? '',
          a.includes('--force-conflicts'),
          a.find((x) => x.startsWith('--field-manager='))?.slice(16) ?? 'kubectl',
        );
      case 'delete':
        return this.doDelete(rest[1]!, ns, a.includes('--ignore-not-found'));
      case 'create':
        return this.doCreateJob(a, ns);
      default:
        return result(1, '', `error: unknown command "${verb}" for "kubectl"\n`);
    }
  }

  private list(items: Obj[]): string {
    return (
      JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4) +
      '\n'
    );
  }

  private doGet(
    rest: string[],
    ns: string,
    all: boolean,
    selector: string | undefined,
    ignoreNotFound: boolean,
  ): RunResult {
    const resource = rest[0]!;
    const names: string[] = [];
    for (let i = 1; i < rest.length && !rest[i]!.startsWith('-'); i++) names.push(rest[i]!);
    if (resource === 'jobs') {
      if (this.isForbidden('list', ns)) return result(1, '', this.forbiddenMessage('list', 'jobs', ns));
      return result(
        0,
        this.list(
          this.jobs.filter((j) => (j.metadata as Obj).namespace === ns && matchesSelector(j, selector)),
        ),
      );
    }
    if (!all && this.isForbidden(names.length ? 'get' : 'list', ns)) {
      return result(1, '', this.forbiddenMessage(names.length ? 'get' : 'list', 'cronjobs', ns, names[0]));
    }
    if (all && this.isForbidden('list', '*')) {
      return result(
        1,
        '',
        `Error from server (Forbidden): cronjobs.batch is forbidden: User "${this.options.user ?? 'system:serviceaccount:ci:deployer'}" cannot list resource "cronjobs" in API group "batch" at the cluster scope\n`,
      );
    }
    if (names.length) {
      const found = names.map((n) => this.get(ns, n)).filter((o): o is Obj => o !== undefined);
      const missing = names.filter((n) => !this.objects.has(`${ns}/${n}`));
      if (missing.length && !ignoreNotFound) {
        return result(
          1,
          '',
          missing.map((n) => `Error from server (NotFound): cronjobs.batch "${n}" not found\n`).join(''),
        );
      }
      if (names.length === 1) return result(0, found[0] ? JSON.stringify(found[0], null, 4) + '\n' : '');
      return result(0, this.list(found));
    }
    const items = [...this.objects.values()]
      .map((s) => this.render(s))
      .filter((o) => (all || (o.metadata as Obj).namespace === ns) && matchesSelector(o, selector));
    return result(0, this.list(items));
  }

  private validate(o: Obj): string[] {
    const meta = (o.metadata ?? {}) as Obj;
    const spec = (o.spec ?? {}) as Obj;
    const errs: string[] = [];
    if (String(meta.name).length > 52)
      errs.push(`metadata.name: Invalid value: "${meta.name}": must be no more than 52 characters`);
    const tz = spec.timeZone;
    if (typeof tz === 'string' && !validTimeZone(tz))
      errs.push(`spec.timeZone: Invalid value: "${tz}": unknown time zone ${tz}`);
    const sched = String(spec.schedule ?? '');
    const f = sched.trim().split(/\s+/);
    if (!sched.startsWith('@') && (f.length !== 5 || /(^|[,-])7($|[,/-])/.test(f[4] ?? ''))) {
      errs.push(`spec.schedule: Invalid value: "${sched}": end of range (7) above maximum (6): ${f[4]}`);
    }
    return errs;
  }

  private doApply(input: string, force: boolean, manager: string): RunResult {
    const out: string[] = [];
    const err: string[] = [];
    for (const doc of parseAllDocuments(input)) {
      if (!('contents' in doc) || doc.contents === null) continue;
      const o = doc.toJS() as Obj;
      const meta = o.metadata as Obj;
      const ns = String(meta.namespace ?? 'default');
      const name = String(meta.name);
      if (!this.namespaces.has(ns)) {
        err.push(`Error from server (NotFound): namespaces "${ns}" not found\n`);
        continue;
      }
      if (this.isForbidden('patch', ns)) {
        err.push(this.forbiddenMessage('patch', 'cronjobs', ns, name));
        continue;
      }
      const invalid = this.validate(o);
      if (invalid.length) {
        err.push(`Error from server (Invalid): CronJob.batch "${name}" is invalid: ${invalid.join(', ')}\n`);
        continue;
      }
      const key = `${ns}/${name}`;
      const existing = this.objects.get(key);
      const config = leaves(o);
      if (existing) {
        const conflicts: { manager: string; path: string }[] = [];
        for (const [k, v] of config) {
          if (IDENTITY.has(k)) continue;
          const cur = getPath(existing.object, k.split('\0'));
          const others = [...(existing.owners.get(k) ?? [])].filter((m) => m !== manager);
          if (others.length && !sameAsConfig(cur, v))
            for (const m of others) conflicts.push({ manager: m, path: dotted(k) });
        }
        if (conflicts.length && !force) {
          const n = conflicts.length;
          const mgrs = [...new Set(conflicts.map((c) => c.manager))];
          const head =
            n === 1
              ? `error: Apply failed with 1 conflict: conflict with "${mgrs[0]}" using batch/v1: ${conflicts[0]!.path}`
              : `error: Apply failed with ${n} conflicts: conflicts with "${mgrs[0]}" using batch/v1:\n${conflicts.map((c) => `- ${c.path}`).join('\n')}`;
          err.push(
            `${head}\nPlease review the fields above--they currently have other managers. Here\nare the ways you can resolve this warning:\n` +
              `* If you intend to manage all of these fields, please re-run the apply\n  command with the \`--force-conflicts\` flag.\n` +
              `* If you do not intend to manage all of the fields, please edit your\n  manifest to remove references to the fields that should keep their\n  current managers.\n` +
              `* You may co-own fields by updating your manifest to match the existing\n  value; in this case, you'll become the manager if the other manager(s)\n  stop managing the field (remove it from their configuration).\n` +
              `See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts\n`,
          );
          continue;
        }
        const next = clone(existing.object);
        // Fields this manager applied before and no longer applies: released, removed if unowned.
        for (const [k, managers] of [...existing.owners]) {
          if (managers.has(manager) && !config.has(k)) {
            managers.delete(manager);
            if (managers.size === 0) {
              existing.owners.delete(k);
              deletePath(next, k.split('\0'));
            }
          }
        }
        for (const [k, v] of config) {
          if (IDENTITY.has(k)) continue;
          const cur = getPath(next, k.split('\0'));
          if (!sameAsConfig(cur, v)) {
            setPath(next, k.split('\0'), v);
            existing.owners.set(k, new Set([manager]));
          } else {
            existing.owners.set(k, new Set([...(existing.owners.get(k) ?? []), manager]));
          }
        }
        this.finish(next, next.metadata as Obj);
        existing.object = next;
      } else {
        const owners = new Map<string, Set<string>>();
        for (const k of config.keys()) if (!IDENTITY.has(k)) owners.set(k, new Set([manager]));
        const obj = clone(o);
        this.finish(obj, obj.metadata as Obj);
        this.objects.set(key, { object: obj, owners });
      }
      out.push(`cronjob.batch/${name} serverside-applied\n`);
    }
    return result(err.length ? 1 : 0, out.join(''), err.join(''));
  }

  private doDelete(name: string, ns: string, ignoreNotFound: boolean): RunResult {
    if (this.isForbidden('delete', ns))
      return result(1, '', this.forbiddenMessage('delete', 'cronjobs', ns, name));
    if (!this.objects.delete(`${ns}/${name}`)) {
      return ignoreNotFound
        ? result(0)
        : result(1, '', `Error from server (NotFound): cronjobs.batch "${name}" not found\n`);
    }
    return result(0, `cronjob.batch "${name}" deleted\n`);
  }

  private doCreateJob(a: string[], ns: string): RunResult {
    const from = a.find((x) => x.startsWith('--from=cronjob/'))?.slice('--from=cronjob/'.length);
    const jobName = a[2]?.startsWith('--') ? a[3] : a[2];
    if (!from || !jobName) return result(1, '', 'error: exactly one NAME is required\n');
    if (this.isForbidden('create', ns)) return result(1, '', this.forbiddenMessage('create', 'jobs', ns));
    const cj = this.objects.get(`${ns}/${from}`);
    if (!cj) return result(1, '', `error: failed to retrieve cronjob: cronjobs.batch "${from}" not found\n`);
    const jt = ((cj.object.spec as Obj).jobTemplate ?? {}) as Obj;
    this.jobs.push({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        namespace: ns,
        labels: clone(((jt.metadata ?? {}) as Obj).labels ?? {}),
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
      },
      spec: clone(jt.spec ?? {}),
      status: { startTime: '2026-01-01T00:00:05Z', active: 1 },
    });
    return result(0, `job.batch/${jobName} created\n`);
  }
}
