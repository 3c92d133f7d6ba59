/**
 * The checks of a schedules file that a schema cannot do — schedules, zones, durations, paths —
 * and the resolution of its data into a {@link Project}. No YAML here: the checks report through
 * a {@link Reporter}, which knows where a path is in the file when there is a document, so that a
 * load from the cache can run them without parsing the file (src/config/load.ts).
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CRON_PRESETS,
  DEFAULT_NOTIFY_ON,
  EVENT_PRESETS,
  slugifyProjectName,
  type BackendChoice,
  type Command,
  type Job,
  type Notifier,
  type NotifyEvent,
  type OverlapPolicy,
  type Project,
  type Schedule,
} from '../model/job.js';
import {
  CRON_MACROS,
  CronSyntaxError,
  NEVER_FIRES,
  canEverFire,
  parseCron,
  parseSchedule,
} from '../schedule/cron.js';
import { isValidTimeZone, zonedToInstant } from '../schedule/zoned.js';
import type { SettingsResolver } from './backend-settings.js';
import type { Diagnostic, Severity } from './diagnostic.js';
import { formatDuration, MAX_DURATION_SECONDS, parseDuration } from './duration.js';
import type { PathSegment } from './locate.js';
import { envFileProblem } from './envfile.js';
import { suggest } from './suggest.js';
import { describePath, showValue } from './words.js';

/** Plain object check for values that came out of YAML. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scalar as written in the file: where its text starts (after a quote) and that text. */
export interface ScalarText {
  /** 1 for a quoted scalar (the quote), else 0. */
  start: number;
  /** The source text between the quotes (all of it when plain). */
  text: string;
  /** Plain or single/double quoted on one line: its text maps 1:1 onto the value. */
  simple: boolean;
}

/**
 * Collects diagnostics. This base has no document, so every diagnostic is at 1:1 — enough for a
 * load from the cache, which compares only what was found; the parser's DocumentReporter
 * (parse.ts) places them in the file.
 */
export class Reporter {
  readonly list: Diagnostic[] = [];
  constructor(readonly file: string) {}

  /** Line and column of `offset` in the file. */
  protected position(_offset: number): { line: number; col: number } {
    return { line: 1, col: 1 };
  }

  /** Offset of the value of `p` (or of its key when the value is empty, or of the nearest ancestor). */
  protected valueOffset(_p: readonly PathSegment[]): number {
    return 0;
  }

  /** Offset of the key of `p` (the job name for a job, the property name for a property). */
  protected keyOffset(_p: readonly PathSegment[]): number {
    return 0;
  }

  /** The scalar at `p` as written, when there is a document and `p` is a scalar there. */
  scalarText(_p: readonly PathSegment[]): ScalarText | undefined {
    return undefined;
  }

  atOffset(offset: number, severity: Severity, code: string, message: string, hint?: string): void {
    const d: Diagnostic = { file: this.file, ...this.position(offset), severity, code, message };
    if (hint) d.hint = hint;
    this.list.push(d);
  }

  /** At the value of `p`, `delta` characters in. */
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

  /** At the key of `p`. */
  atKey(p: readonly PathSegment[], severity: Severity, code: string, message: string, hint?: string): void {
    this.atOffset(this.keyOffset(p), severity, code, message, hint);
  }
}

/** Where the one-shot and fire-time checks take "now" from, and the zone a job defaults to. */
export interface Context {
  r: Reporter;
  dir: string;
  now: Date;
  hostZone: string;
  checkFs: boolean;
  /** The backends' settings blocks (`kubernetes:`…) the file may hold. */
  settings: readonly SettingsResolver[];
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
        // Only point inside the string when its text maps 1:1 onto the source (no escapes, no folding).
        const written = ctx.r.scalarText(p);
        const exact = written !== undefined && written.simple && written.text === value;
        const delta = exact && err.column !== undefined ? written.start + err.column : 0;
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
          `schedule ${showValue(value)} of ${jobLabel} ${NEVER_FIRES.reason}`,
          NEVER_FIRES.hint,
        );
    }
    return;
  }
  if (isObject(value) && typeof value.at === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(value.at)) {
    const atPath = [...p, 'at'];
    try {
      parseSchedule({ at: value.at });
    } catch (err) {
      const column = err instanceof CronSyntaxError ? (err.column ?? 0) : 0;
      ctx.r.atValue(
        atPath,
        'error',
        'bad-schedule',
        `invalid one-shot time for ${jobLabel}: ${(err as Error).message}`,
        undefined,
        (ctx.r.scalarText(atPath)?.start ?? 0) + column,
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
  if (seconds === undefined || seconds > MAX_DURATION_SECONDS) {
    ctx.r.atValue(
      p,
      'error',
      'bad-duration',
      `${describePath(p)} ${showValue(value)} is too long: at most ${formatDuration(MAX_DURATION_SECONDS)}`,
      `use at most ${formatDuration(MAX_DURATION_SECONDS)} (${MAX_DURATION_SECONDS} seconds)`,
    );
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
      } else {
        // Regular-looking files that are not the user's own file: /proc/self/environ, another user's.
        const problem = envFileProblem(st, await realpath(abs).catch(() => abs));
        if (problem)
          ctx.r.atValue(p, 'error', 'env-file-unsafe', `env_file ${showValue(envFile)}: ${problem}`);
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

function toCommand(v: unknown): Command | undefined {
  if (typeof v === 'string') return { shell: v };
  if (Array.isArray(v)) return { argv: v.map(String) };
  return undefined;
}

/** A notify list as resolved: undefined when empty (nobody hears), so specs without one stay as they were. */
function toNotifiers(v: unknown): Notifier[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out: Notifier[] = [];
  for (const n of v) {
    if (!isObject(n)) continue;
    const common = {
      on: Array.isArray(n.on) ? (n.on as NotifyEvent[]) : [...DEFAULT_NOTIFY_ON],
      timeoutSeconds: parseDuration(typeof n.timeout === 'string' ? n.timeout : '5s') || 5,
      retries: typeof n.retries === 'number' ? n.retries : 1,
    };
    if (typeof n.webhook === 'string')
      out.push({ webhook: n.webhook, format: n.format === 'slack' ? 'slack' : 'json', ...common });
    else if (Array.isArray(n.command)) out.push({ command: n.command.map(String), ...common });
    else if (typeof n.email === 'string') out.push({ email: n.email, ...common });
  }
  return out.length ? out : undefined;
}

/** `${NAME}` references in a URL: they must come from the job's env_file. */
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function checkUrlVars(ctx: Context, p: PathSegment[], url: unknown, hasEnvFile: boolean): void {
  if (typeof url !== 'string' || hasEnvFile) return;
  const first = VAR_REF.exec(url);
  VAR_REF.lastIndex = 0;
  if (!first) return;
  ctx.r.atValue(
    p,
    'error',
    'url-var-without-env-file',
    `${describePath(p)} uses \${${first[1]}}, but the job has no env_file to take it from`,
    `put ${first[1]}=… in a chmod-600 env_file and set env_file: on the job (or in defaults)`,
  );
}

/** Notifier and healthcheck checks a schema cannot do: one kind per notifier, format only for webhooks, ${VAR} sources. */
function checkNotify(ctx: Context, owner: PathSegment[], list: unknown, hasEnvFile: boolean): void {
  if (!Array.isArray(list)) return;
  list.forEach((n, i) => {
    if (!isObject(n)) return;
    const p = [...owner, 'notify', i];
    const kinds = ['webhook', 'command', 'email'].filter((k) => k in n);
    if (kinds.length === 0)
      ctx.r.atValue(
        p,
        'error',
        'notifier-kind',
        `${describePath(p)} must be a notifier: {webhook: URL}, {command: [argv…]} or {email: ADDRESS}`,
      );
    if (kinds.length > 1)
      ctx.r.atValue(
        p,
        'error',
        'notifier-kinds',
        `${describePath(p)} has ${kinds.join(' and ')}: a notifier is one of them`,
        'write one list item per notifier',
      );
    if ('format' in n && !('webhook' in n))
      ctx.r.atValue(
        [...p, 'format'],
        'error',
        'notifier-format',
        'format applies to a webhook notifier only',
      );
    checkDuration(ctx, [...p, 'timeout'], n.timeout, true);
    checkUrlVars(ctx, [...p, 'webhook'], n.webhook, hasEnvFile);
  });
}

async function checkMetrics(ctx: Context, metrics: unknown): Promise<void> {
  if (!ctx.checkFs || !isObject(metrics) || typeof metrics.textfile !== 'string') return;
  const dir = path.dirname(path.resolve(ctx.dir, metrics.textfile));
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory())
    ctx.r.atValue(
      ['metrics', 'textfile'],
      'error',
      'metrics-dir-missing',
      `the folder of metrics.textfile (${dir}) does not exist`,
      "create it, or point textfile at node_exporter's --collector.textfile.directory",
    );
}

/** A backend's settings block of a job: the defaults' keys, then the job's; undefined when empty. */
function settingsBlock(
  resolver: SettingsResolver,
  job: Record<string, unknown>,
  defaults: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const block = {
    ...(defaults[resolver.key] as object | undefined),
    ...(job[resolver.key] as object | undefined),
  } as Record<string, unknown>;
  return Object.keys(block).length > 0 ? block : undefined;
}

function resolveJob(
  projectName: string,
  name: string,
  job: Record<string, unknown>,
  defaults: Record<string, unknown>,
  dir: string,
  hostZone: string,
  settings: readonly SettingsResolver[],
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
  // A job's list replaces the defaults' list; `notify: []` turns it off.
  const notify = toNotifiers('notify' in job ? job.notify : defaults.notify);
  if (notify) resolved.notify = notify;
  if (typeof job.healthcheck === 'string') resolved.healthcheck = job.healthcheck;
  for (const resolver of settings) {
    const block = settingsBlock(resolver, job, defaults);
    if (block) Object.assign(resolved, { [resolver.key]: resolver.resolve(block).settings });
  }
  return resolved;
}

/**
 * What each backend's resolver finds wrong with a job's settings block, reported where the
 * offending key is written: under the job when it sets the block, else under `defaults:`.
 */
function checkSettings(
  ctx: Context,
  base: PathSegment[],
  job: Record<string, unknown>,
  defaults: Record<string, unknown>,
): void {
  for (const resolver of ctx.settings) {
    const block = settingsBlock(resolver, job, defaults);
    if (!block) continue;
    for (const d of resolver.resolve(block).diagnostics) {
      const own = job[resolver.key];
      const inJob = isObject(own) && d.path.length > 0 && String(d.path[0]) in own;
      const at: PathSegment[] = [...(inJob ? base : ['defaults']), resolver.key, ...d.path];
      ctx.r.atValue(at, d.severity, d.code, d.message, d.hint);
    }
  }
}

/** The checks a schema cannot do, of the whole file; they report through `ctx.r`. */
export async function checkMeaning(
  ctx: Context,
  root: Record<string, unknown>,
  names: string[],
): Promise<void> {
  const defaults = isObject(root.defaults) ? root.defaults : {};
  const jobs = isObject(root.jobs) ? root.jobs : {};

  checkTimezone(ctx, ['defaults', 'timezone'], defaults.timezone);
  checkDuration(ctx, ['defaults', 'timeout'], defaults.timeout, true);
  checkDuration(ctx, ['defaults', 'jitter'], defaults.jitter, false);
  if (isObject(defaults.retries))
    checkDuration(ctx, ['defaults', 'retries', 'delay'], defaults.retries.delay, false);
  await checkPaths(ctx, ['defaults'], defaults);
  await checkMetrics(ctx, root.metrics);

  if (isObject(root.jobs) && Object.keys(jobs).length === 0)
    ctx.r.atValue(
      ['jobs'],
      'warning',
      'no-jobs',
      `no jobs: apply would remove every job of project '${projectNameOf(root, ctx.dir)}'`,
    );

  for (const name of names) {
    const job = jobs[name];
    if (!isObject(job)) continue;
    const base: PathSegment[] = ['jobs', name];
    checkTimezone(ctx, [...base, 'timezone'], job.timezone);
    const enabled = (job.enabled ?? defaults.enabled ?? true) !== false;
    checkSchedule(ctx, [...base, 'schedule'], job.schedule, jobZone(job, defaults, ctx.hostZone), enabled);
    checkDuration(ctx, [...base, 'timeout'], job.timeout, true);
    checkDuration(ctx, [...base, 'jitter'], job.jitter, false);
    if (isObject(job.retries)) checkDuration(ctx, [...base, 'retries', 'delay'], job.retries.delay, false);
    await checkPaths(ctx, base, job);
    const hasEnvFile = typeof (job.env_file ?? defaults.env_file) === 'string';
    if ('notify' in job) checkNotify(ctx, base, job.notify, hasEnvFile);
    checkUrlVars(ctx, [...base, 'healthcheck'], job.healthcheck, hasEnvFile);
    checkSettings(ctx, base, job, defaults);
    const inert = ctx.settings.find((s) => s.key === root.backend)?.inertJobKeys;
    if (inert)
      for (const key of inert.keys)
        if (key in job && !(Array.isArray(job[key]) && (job[key] as unknown[]).length === 0))
          ctx.r.atKey(
            [...base, key],
            'warning',
            `not-on-${String(root.backend)}`,
            `${key} of job '${name}' does nothing on the ${String(root.backend)} backend: ${inert.why}`,
            inert.hint,
          );
  }
  // The defaults' list is checked once, where it is written (a job without env_file that
  // inherits a ${VAR} webhook is told at its own key below).
  checkNotify(ctx, ['defaults'], defaults.notify, true);
  const inheritsWithoutEnvFile = names.some((name) => {
    const job = jobs[name];
    return isObject(job) && !('notify' in job) && typeof (job.env_file ?? defaults.env_file) !== 'string';
  });
  if (Array.isArray(defaults.notify) && inheritsWithoutEnvFile)
    defaults.notify.forEach((n, i) => {
      if (isObject(n)) checkUrlVars(ctx, ['defaults', 'notify', i, 'webhook'], n.webhook, false);
    });
}

function projectNameOf(root: Record<string, unknown>, dir: string): string {
  return typeof root.project === 'string' && root.project !== ''
    ? root.project
    : slugifyProjectName(path.basename(dir));
}

export function resolveProject(
  root: Record<string, unknown>,
  names: string[],
  abs: string,
  dir: string,
  hostZone: string,
  settings: readonly SettingsResolver[],
): Project {
  const name = projectNameOf(root, dir);
  const defaults = isObject(root.defaults) ? root.defaults : {};
  const jobs = isObject(root.jobs) ? root.jobs : {};
  const textfile =
    isObject(root.metrics) && typeof root.metrics.textfile === 'string'
      ? path.resolve(dir, root.metrics.textfile)
      : undefined;
  const withMetrics = (job: Job): Job => (textfile ? { ...job, metricsTextfile: textfile } : job);
  const inHostZone = names.filter(
    (n) => ((jobs[n] as Record<string, unknown> | undefined)?.timezone ?? defaults.timezone) == null,
  );
  return {
    name,
    file: abs,
    backend: typeof root.backend === 'string' ? (root.backend as BackendChoice) : 'auto',
    jobs: names.map((n) =>
      withMetrics(resolveJob(name, n, jobs[n] as Record<string, unknown>, defaults, dir, hostZone, settings)),
    ),
    hostZone: { zone: hostZone, jobs: inHostZone },
  };
}

/** Diagnostics without their positions, in a stable order: what a re-run of the checks must match. */
export function findings(list: Diagnostic[]): string[] {
  return list.map((d) => [d.severity, d.code, d.message, d.hint ?? ''].join('\0')).sort();
}
