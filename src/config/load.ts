/**
 * Loads a schedules.yaml: bytes → YAML document (with positions) → schema check → meaning
 * checks → a resolved {@link Project}. Never throws for a bad file: every problem comes back as a
 * {@link Diagnostic} with the line and column of the key or value at fault, all at once.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  Scalar,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import {
  CRON_PRESETS,
  EVENT_PRESETS,
  slugifyProjectName,
  type BackendChoice,
  type Command,
  type Job,
  type KubernetesSettings,
  type OverlapPolicy,
  type Project,
  type Schedule,
} from '../model/job.js';
import { CRON_MACROS, CronSyntaxError, canEverFire, parseCron, parseSchedule } from '../schedule/cron.js';
import { hostTimeZone, isValidTimeZone, zonedToInstant } from '../schedule/zoned.js';
import { sortDiagnostics, type Diagnostic, type Severity } from './diagnostic.js';
import { parseDuration } from './duration.js';
import { isEmptyNode, locate, nodeStart, toPosition, type PathSegment } from './locate.js';
import { schemaErrors } from './schema.js';
import { suggest } from './suggest.js';
import { checkBytes } from './text.js';
import { describePath, showValue } from './words.js';

export interface LoadOptions {
  /** "Now" for the one-shot-in-the-past check (tests pin it). Default: the current time. */
  now?: Date;
  /** The host's IANA zone, the default job zone. Default: detected. */
  hostTimezone?: string;
  /** Check that env_file and working_dir exist (and env_file's mode). Default: true. */
  checkFilesystem?: boolean;
  /** Name used for the file in diagnostics. Default: `file` as given. */
  displayName?: string;
}

export interface LoadResult {
  /** Present only when there is no error (warnings allowed). */
  project?: Project;
  /** Sorted by position. */
  diagnostics: Diagnostic[];
  /** The file's text, when it could be decoded (for quoting lines in diagnostics). */
  source?: string;
}

/** Plain object check for values that came out of YAML. */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects diagnostics with positions resolved against one document. */
class Reporter {
  readonly list: Diagnostic[] = [];
  constructor(
    readonly file: string,
    readonly lineCounter: LineCounter,
    readonly doc?: Document,
    /** The decoded source text, for mapping offsets inside a scalar. */
    readonly text = '',
  ) {}

  atOffset(offset: number, severity: Severity, code: string, message: string, hint?: string): void {
    const { line, col } = toPosition(this.lineCounter, offset);
    const d: Diagnostic = { file: this.file, line, col, severity, code, message };
    if (hint) d.hint = hint;
    this.list.push(d);
  }

  /** At the value of `p` (or its key when the value is empty, or the nearest ancestor). */
  atValue(
    p: readonly PathSegment[],
    severity: Severity,
    code: string,
    message: string,
    hint?: string,
    delta = 0,
  ): void {
    this.atOffset(this.valueOffset(p) + delta, severity, code, message, hint);
  }

  /** At the key of `p` (the job name for a job, the property name for a property). */
  atKey(p: readonly PathSegment[], severity: Severity, code: string, message: string, hint?: string): void {
    this.atOffset(this.keyOffset(p), severity, code, message, hint);
  }

  valueOffset(p: readonly PathSegment[]): number {
    if (!this.doc) return 0;
    const found = locate(this.doc, p);
    if (found.complete && !isEmptyNode(found.value)) return nodeStart(found.value) ?? 0;
    return nodeStart(found.key) ?? nodeStart(found.value) ?? 0;
  }

  keyOffset(p: readonly PathSegment[]): number {
    if (!this.doc) return 0;
    const found = locate(this.doc, p);
    return nodeStart(found.key) ?? nodeStart(found.value) ?? 0;
  }

  valueNode(p: readonly PathSegment[]): Node | undefined {
    if (!this.doc) return undefined;
    const found = locate(this.doc, p);
    return found.complete ? found.value : undefined;
  }
}

/** Where the one-shot and fire-time checks take "now" from, and the zone a job defaults to. */
interface Context {
  r: Reporter;
  dir: string;
  now: Date;
  hostZone: string;
  checkFs: boolean;
}

/** The zone a job runs in: its own, the defaults', or the host's (only if valid; else undefined). */
function jobZone(
  job: Record<string, unknown>,
  defaults: Record<string, unknown>,
  host: string,
): string | undefined {
  const z = job.timezone ?? defaults.timezone ?? host;
  return typeof z === 'string' && isValidTimeZone(z) ? z : undefined;
}

function checkTimezone(ctx: Context, p: PathSegment[], zone: unknown): void {
  if (typeof zone !== 'string' || zone === '' || isValidTimeZone(zone)) return;
  let candidates: string[] = [];
  try {
    candidates = (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf(
      'timeZone',
    );
  } catch {
    candidates = [];
  }
  const guess = suggest(zone, [...candidates, 'UTC']);
  ctx.r.atValue(
    p,
    'error',
    'unknown-timezone',
    `unknown time zone ${showValue(zone)} for ${describePath(p)}`,
    guess
      ? `did you mean '${guess}'?`
      : 'use an IANA zone name such as Europe/Berlin, America/New_York or UTC',
  );
}

const SCHEDULE_SYNONYMS: Readonly<Record<string, string>> = {
  hourly: 'hour',
  daily: 'day',
  nightly: 'day',
  weekdays: 'weekday',
  weekly: 'week',
  monthly: 'month',
  reboot: 'boot',
  startup: 'boot',
  yearly: '@yearly',
  annually: '@annually',
};

/** A likely intended preset or macro for a mistyped word schedule (`daily` → `day`, `@weekyl` → `@weekly`). */
function guessSchedule(text: string): string | undefined {
  const lower = text.toLowerCase();
  if (/^[a-z]+$/.test(lower)) {
    if (SCHEDULE_SYNONYMS[lower]) return SCHEDULE_SYNONYMS[lower];
    return suggest(lower, [...Object.keys(CRON_PRESETS), ...EVENT_PRESETS]);
  }
  if (/^@[a-z]+$/.test(lower)) return suggest(lower, [...CRON_MACROS, '@reboot']);
  return undefined;
}

/** Offset inside a scalar's source text where the string's first character is. */
function contentStart(node: Node | undefined): number {
  if (isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)) return 1;
  return 0;
}

function checkSchedule(
  ctx: Context,
  p: PathSegment[],
  value: unknown,
  zone: string | undefined,
  enabled: boolean,
): void {
  const jobLabel = `job '${String(p[1])}'`;
  if (typeof value === 'string' && value.trim() !== '') {
    let schedule: Schedule;
    try {
      schedule = parseSchedule(value);
    } catch (err) {
      if (err instanceof CronSyntaxError) {
        const node = ctx.r.valueNode(p);
        // Only point inside the string when its text maps 1:1 onto the source (no escapes, no folding).
        const range = isScalar(node) ? node.range : undefined;
        const start = contentStart(node);
        const inner = range ? ctx.r.text.slice(range[0] + start, range[1] - start) : undefined;
        const exact =
          inner === value &&
          isScalar(node) &&
          (node.type === Scalar.PLAIN ||
            node.type === Scalar.QUOTE_DOUBLE ||
            node.type === Scalar.QUOTE_SINGLE);
        const delta = exact && err.column !== undefined ? start + err.column : 0;
        const guess = guessSchedule(value.trim());
        ctx.r.atValue(
          p,
          'error',
          'bad-schedule',
          `invalid schedule for ${jobLabel}: ${err.message}`,
          guess
            ? `did you mean '${guess}'?`
            : 'a cron expression has 5 fields: minute hour day-of-month month day-of-week, e.g. "30 2 * * 1-5"',
          delta,
        );
        return;
      }
      ctx.r.atValue(
        p,
        'error',
        'bad-schedule',
        `invalid schedule for ${jobLabel}: ${(err as Error).message}`,
      );
      return;
    }
    if (schedule.kind === 'cron') {
      let fires = true;
      let ored = false;
      try {
        const spec = parseCron(schedule.expr);
        fires = canEverFire(spec);
        // Macros like @hourly set every day bit without Debian's *_STAR flags: not a real OR.
        const allDays = spec.dom.slice(1, 32).every(Boolean);
        const allWeekdays = spec.dow.slice(0, 7).every(Boolean);
        ored = !spec.domStar && !spec.dowStar && !allDays && !allWeekdays;
      } catch {
        fires = true; // parseSchedule accepted it; a second opinion is not ours to give
      }
      if (ored && fires)
        ctx.r.atValue(
          p,
          'warning',
          'dom-or-dow',
          `schedule ${showValue(value)} of ${jobLabel} restricts both day-of-month and day-of-week: cron runs on days matching EITHER, not both`,
          'for "the first Monday", restrict the days (1-7) and test the weekday in the command',
        );
      if (!fires)
        ctx.r.atValue(
          p,
          'error',
          'never-fires',
          `schedule ${showValue(value)} of ${jobLabel} can never fire (no month has such a day)`,
          'check the day-of-month and month fields',
        );
    }
    return;
  }
  if (isObject(value) && typeof value.at === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(value.at)) {
    const atPath = [...p, 'at'];
    try {
      parseSchedule({ at: value.at });
    } catch (err) {
      const node = ctx.r.valueNode(atPath);
      const column = err instanceof CronSyntaxError ? (err.column ?? 0) : 0;
      ctx.r.atValue(
        atPath,
        'error',
        'bad-schedule',
        `invalid one-shot time for ${jobLabel}: ${(err as Error).message}`,
        undefined,
        contentStart(node) + column,
      );
      return;
    }
    const [y, mo, d, h, mi] = value.at.split(/[- :]/).map(Number) as [number, number, number, number, number];
    // With an unknown zone (reported elsewhere), use the latest zone on Earth (UTC-12): past there is past everywhere.
    const wall = { year: y, month: mo, day: d, hour: h, minute: mi };
    if (zonedToInstant(wall, zone ?? 'Etc/GMT+12').getTime() <= ctx.now.getTime()) {
      ctx.r.atValue(
        atPath,
        enabled ? 'error' : 'warning',
        'at-in-past',
        `one-shot time ${showValue(value.at)} of ${jobLabel} is in the past (${zone ?? 'in every time zone'})`,
        enabled
          ? 'remove the job, or set a time in the future'
          : 'the job is disabled; remove it when it is done',
      );
    }
  }
}

function checkDuration(ctx: Context, p: PathSegment[], value: unknown, mustBePositive: boolean): void {
  if (typeof value !== 'string' || !/^(?=[0-9])(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?$/.test(value))
    return;
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    ctx.r.atValue(p, 'error', 'bad-duration', `${describePath(p)} ${showValue(value)} is too long`);
  } else if (mustBePositive && seconds === 0) {
    ctx.r.atValue(
      p,
      'error',
      'bad-duration',
      `${describePath(p)} must be longer than 0s`,
      'remove the key for no timeout',
    );
  }
}

async function checkPaths(ctx: Context, owner: PathSegment[], obj: Record<string, unknown>): Promise<void> {
  if (!ctx.checkFs) return;
  const envFile = obj.env_file;
  if (typeof envFile === 'string' && envFile !== '') {
    const p = [...owner, 'env_file'];
    const abs = path.resolve(ctx.dir, envFile);
    try {
      const st = await stat(abs);
      if (!st.isFile()) {
        ctx.r.atValue(
          p,
          'error',
          'env-file-not-file',
          `env_file ${showValue(envFile)} is not a regular file`,
        );
      } else if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        ctx.r.atValue(
          p,
          'error',
          'env-file-permissions',
          `env_file ${showValue(envFile)} is readable or writable by others (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')})`,
          `chmod 600 ${envFile}`,
        );
      }
    } catch {
      ctx.r.atValue(
        p,
        'error',
        'env-file-missing',
        `env_file ${showValue(envFile)} does not exist`,
        `create it (chmod 600 ${envFile}); paths are relative to the folder of the schedules file`,
      );
    }
  }
  const wd = obj.working_dir;
  if (typeof wd === 'string' && wd !== '') {
    const p = [...owner, 'working_dir'];
    try {
      const st = await stat(path.resolve(ctx.dir, wd));
      if (!st.isDirectory())
        ctx.r.atValue(p, 'error', 'working-dir-not-dir', `working_dir ${showValue(wd)} is not a directory`);
    } catch {
      ctx.r.atValue(
        p,
        'error',
        'working-dir-missing',
        `working_dir ${showValue(wd)} does not exist`,
        'paths are relative to the folder of the schedules file',
      );
    }
  }
}

/** Where a job's key sits in the jobs map, in file order (YAML order, not JS key order). */
function jobNamesInOrder(doc: Document, jobs: Record<string, unknown>): string[] {
  const map = locate(doc, ['jobs']).value;
  if (!isMap(map)) return Object.keys(jobs);
  const names: string[] = [];
  for (const item of map.items as Pair<Node, Node>[]) {
    if (isScalar(item.key)) {
      const k = String(item.key.value);
      if (k in jobs && !names.includes(k)) names.push(k);
    }
  }
  for (const k of Object.keys(jobs)) if (!names.includes(k)) names.push(k);
  return names;
}

function toCommand(v: unknown): Command | undefined {
  if (typeof v === 'string') return { shell: v };
  if (Array.isArray(v)) return { argv: v.map(String) };
  return undefined;
}

function resolveJob(
  projectName: string,
  name: string,
  job: Record<string, unknown>,
  defaults: Record<string, unknown>,
  dir: string,
  hostZone: string,
): Job {
  const pick = <T>(k: string): T | undefined => (job[k] ?? defaults[k]) as T | undefined;
  const retries = { ...(defaults.retries as object | undefined), ...(job.retries as object | undefined) } as {
    max?: number;
    delay?: string;
  };
  const workingDir = path.resolve(dir, pick<string>('working_dir') ?? '.');
  const envFile = pick<string>('env_file');
  const timeout = pick<string>('timeout');
  const onFailure = toCommand(pick('on_failure'));
  const k8s = {
    ...(defaults.kubernetes as object | undefined),
    ...(job.kubernetes as object | undefined),
  } as Record<string, unknown>;
  const resolved: Job = {
    project: projectName,
    name,
    schedule: parseSchedule(job.schedule as string | { at: string }),
    command: toCommand(job.command)!,
    workingDir,
    env: {
      ...(defaults.env as Record<string, string> | undefined),
      ...(job.env as Record<string, string> | undefined),
    },
    timezone: pick<string>('timezone') ?? hostZone,
    overlap: pick<OverlapPolicy>('overlap') ?? 'skip',
    catchUp: pick<boolean>('catch_up') ?? false,
    retries: { max: retries.max ?? 0, delaySeconds: parseDuration(retries.delay ?? '0s') ?? 0 },
    jitterSeconds: parseDuration(pick<string>('jitter') ?? '0s') ?? 0,
    enabled: pick<boolean>('enabled') ?? true,
  };
  if (typeof job.description === 'string') resolved.description = job.description;
  if (envFile) resolved.envFile = path.resolve(dir, envFile);
  if (timeout) resolved.timeoutSeconds = parseDuration(timeout);
  if (onFailure) resolved.onFailure = onFailure;
  if (Object.keys(k8s).length > 0) {
    // Missing namespace/image stay empty: the kubernetes backend's check names what is missing.
    const ks: KubernetesSettings = {
      namespace: typeof k8s.namespace === 'string' ? k8s.namespace : '',
      image: typeof k8s.image === 'string' ? k8s.image : '',
    };
    if (typeof k8s.context === 'string') ks.context = k8s.context;
    if (typeof k8s.service_account === 'string') ks.serviceAccount = k8s.service_account;
    if (isObject(k8s.resources)) ks.resources = k8s.resources;
    if (typeof k8s.env_from_secret === 'string') ks.envFromSecret = k8s.env_from_secret;
    if (typeof k8s.working_dir === 'string') ks.workingDir = k8s.working_dir;
    if (isObject(k8s.history)) ks.history = k8s.history as { successful?: number; failed?: number };
    resolved.kubernetes = ks;
  }
  return resolved;
}

/**
 * Loads and validates a schedules file. Returns every problem found (sorted by position) and,
 * when there is no error, the resolved project.
 */
export async function loadProject(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const display = options.displayName ?? file;
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const lineCounter = new LineCounter();

  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `file not found`
        : code === 'EISDIR'
          ? 'is a directory, not a schedules file'
          : `cannot read the file (${code ?? (err as Error).message})`;
    return {
      diagnostics: [
        {
          file: display,
          line: 1,
          col: 1,
          severity: 'error',
          code: 'read-error',
          message,
          ...(code === 'ENOENT' ? { hint: 'create one with `sched init`, or pass -f FILE' } : {}),
        },
      ],
    };
  }

  const decoded = checkBytes(bytes);
  if ('problem' in decoded) {
    const p = decoded.problem;
    const d: Diagnostic = {
      file: display,
      line: p.line,
      col: p.col,
      severity: 'error',
      code: p.code,
      message: p.message,
    };
    if (p.hint) d.hint = p.hint;
    return { diagnostics: [d], ...(decoded.text !== undefined ? { source: decoded.text } : {}) };
  }
  const source = decoded.text;

  const doc = parseDocument(source, {
    lineCounter,
    uniqueKeys: true,
    merge: true,
    prettyErrors: false,
    keepSourceTokens: false,
    // Warnings become diagnostics below; without this yaml also prints them to stderr.
    logLevel: 'error',
  });
  const r = new Reporter(display, lineCounter, doc, source);
  reportYamlProblems(r, doc, source);
  const structural = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  if (structural) return { diagnostics: sortDiagnostics(dedupe(r.list)), source };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    r.atOffset(
      0,
      'error',
      'empty-file',
      'the file is empty',
      'start from `sched init`, or write `version: 1` and a `jobs:` mapping',
    );
    return { diagnostics: sortDiagnostics(r.list), source };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    r.atOffset(0, 'error', 'yaml', `cannot read the document: ${(err as Error).message}`);
    return { diagnostics: sortDiagnostics(r.list), source };
  }

  for (const e of schemaErrors(data)) {
    if (e.at === 'key') r.atKey(e.path, 'error', e.code, e.message, e.hint);
    else r.atValue(e.path, 'error', e.code, e.message, e.hint);
  }

  const now = options.now ?? new Date();
  const hostZone = options.hostTimezone ?? hostTimeZone();
  const ctx: Context = { r, dir, now, hostZone, checkFs: options.checkFilesystem ?? true };
  const root = isObject(data) ? data : {};
  const defaults = isObject(root.defaults) ? root.defaults : {};
  const jobs = isObject(root.jobs) ? root.jobs : {};

  const projectName =
    typeof root.project === 'string' && root.project !== ''
      ? root.project
      : slugifyProjectName(path.basename(dir));
  const backend: BackendChoice = typeof root.backend === 'string' ? (root.backend as BackendChoice) : 'auto';

  checkTimezone(ctx, ['defaults', 'timezone'], defaults.timezone);
  checkDuration(ctx, ['defaults', 'timeout'], defaults.timeout, true);
  checkDuration(ctx, ['defaults', 'jitter'], defaults.jitter, false);
  if (isObject(defaults.retries))
    checkDuration(ctx, ['defaults', 'retries', 'delay'], defaults.retries.delay, false);
  await checkPaths(ctx, ['defaults'], defaults);

  if (isObject(root.jobs) && Object.keys(jobs).length === 0)
    r.atValue(
      ['jobs'],
      'warning',
      'no-jobs',
      `no jobs: apply would remove every job of project '${projectName}'`,
    );

  const names = isObject(root.jobs) ? jobNamesInOrder(doc, jobs) : [];
  for (const name of names) {
    const job = jobs[name];
    if (!isObject(job)) continue;
    const base: PathSegment[] = ['jobs', name];
    checkTimezone(ctx, [...base, 'timezone'], job.timezone);
    const enabled = (job.enabled ?? defaults.enabled ?? true) !== false;
    checkSchedule(ctx, [...base, 'schedule'], job.schedule, jobZone(job, defaults, hostZone), enabled);
    checkDuration(ctx, [...base, 'timeout'], job.timeout, true);
    checkDuration(ctx, [...base, 'jitter'], job.jitter, false);
    if (isObject(job.retries)) checkDuration(ctx, [...base, 'retries', 'delay'], job.retries.delay, false);
    await checkPaths(ctx, base, job);
  }

  const diagnostics = sortDiagnostics(dedupe(r.list));
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, source };

  const project: Project = {
    name: projectName,
    file: abs,
    backend,
    jobs: names.map((n) =>
      resolveJob(projectName, n, jobs[n] as Record<string, unknown>, defaults, dir, hostZone),
    ),
  };
  return { project, diagnostics, source };
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.line}:${d.col}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Human words for the YAML parser's complaints; one per line (the first) is enough. */
function reportYamlProblems(r: Reporter, doc: Document, source: string): void {
  const lines = source.split(/\r\n|\r|\n/);
  const seenLines = new Set<number>();
  const duplicates = new Set<number>();
  // Duplicate keys: say where the first one was.
  for (const e of doc.errors) if (e.code === 'DUPLICATE_KEY') duplicates.add(e.pos[0]);
  if (duplicates.size) reportDuplicates(r, doc, duplicates);

  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') continue;
    const { line } = toPosition(r.lineCounter, e.pos[0]);
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    const text = lines[line - 1] ?? '';
    let message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    let hint: string | undefined;
    let code = 'yaml-syntax';
    if (e.code === 'TAB_AS_INDENT') {
      code = 'yaml-tab';
      message = 'tab character used for indentation';
      hint = 'YAML indents with spaces only; replace the tabs with spaces';
    } else if ((e.code === 'BAD_ALIAS' || e.code === 'UNEXPECTED_TOKEN') && /:\s+\*/.test(text)) {
      code = 'yaml-unquoted-star';
      message = "a value cannot start with '*' unquoted (YAML reads it as an alias)";
      const m = /^(\s*[\w-]+:\s+)(.*?)\s*(#.*)?$/.exec(text);
      hint = m
        ? `quote it: ${m[1]!.trim()} "${m[2]!.replace(/"/g, '\\"')}"`
        : 'put the value in double quotes';
    } else if (e.code === 'MULTIPLE_DOCS') {
      message = 'the file holds several YAML documents; sched reads one';
      hint = "remove the '---' separator";
    } else if (message) {
      message = `YAML syntax error: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
    }
    r.atOffset(e.pos[0], 'error', code, message, hint);
  }
  for (const w of doc.warnings) {
    const message = w.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    r.atOffset(w.pos[0], 'warning', 'yaml-warning', message);
  }
}

function reportDuplicates(r: Reporter, doc: Document, offsets: Set<number>): void {
  const visit = (node: unknown, where: PathSegment[]): void => {
    if (isMap(node)) {
      const first = new Map<string, number>();
      for (const item of node.items as Pair<Node, Node>[]) {
        const k = isScalar(item.key) ? String(item.key.value) : undefined;
        const start = nodeStart(item.key ?? undefined);
        if (k !== undefined && start !== undefined) {
          const prev = first.get(k);
          if (prev === undefined) first.set(k, start);
          else if (offsets.has(start)) {
            const { line } = toPosition(r.lineCounter, prev);
            const inWhat = where.length ? ` in ${describePath(where)}` : '';
            r.atOffset(
              start,
              'error',
              'duplicate-key',
              `duplicate key '${k}'${inWhat} (first defined on line ${line})`,
              'YAML keeps only one of them; remove or rename one',
            );
          }
        }
        visit(item.value, k === undefined ? where : [...where, k]);
      }
    } else if (node && typeof node === 'object' && 'items' in node) {
      const items = (node as { items: unknown[] }).items;
      items.forEach((it, i) => visit(it, [...where, i]));
    }
  };
  visit(doc.contents, []);
  // Any the walk could not attribute (complex keys) still get reported.
  const reported = new Set(r.list.filter((d) => d.code === 'duplicate-key').map((d) => `${d.line}:${d.col}`));
  for (const off of offsets) {
    const { line, col } = toPosition(r.lineCounter, off);
    if (!reported.has(`${line}:${col}`)) r.atOffset(off, 'error', 'duplicate-key', 'duplicate key');
  }
}
