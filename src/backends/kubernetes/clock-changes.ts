/**
 * Where a CronJob fires differently from Debian cron at clock changes, job by job, so that
 * `validate`, `plan` and `render` can name it (and refuse it where runs are lost outright).
 *
 * The cluster's fire times are the chain of robfig/cron v3.0.1 `Next` (src/backends/kubernetes/
 * robfig-next.ts) — what the CronJob controller schedules when it is on time; Debian's are
 * sched's engine (src/schedule/occurrences.ts). Away from a clock change both are plain wall-clock
 * matching, so only the days around each change of the job's zone are compared: from one day
 * before the change until the cluster's first run two days after it.
 *
 * Kinds of deviation:
 * - `skipped`: a fixed time in the spring gap; Debian runs it right after the jump, the cluster
 *   skips that day (New York, Berlin…);
 * - `doubled`: a fixed time in the repeated autumn hour; Debian runs it once, the cluster twice;
 * - `lost`: a run at a time that exists, which the cluster never makes — robfig steps hours by
 *   whole hours, so a 30-minute change (Australia/Lord_Howe) moves it off the minute it wants;
 * - `extra`: the cluster runs at an instant Debian does not, outside the repeated hour.
 *
 * Pure: no I/O beyond the tz database Node ships.
 */
import { fireTimesBetween } from '../../schedule/occurrences.js';
import { clockChanges, offsetAt } from '../../schedule/zoned.js';
import { parseCronForKubernetes } from './cron.js';
import { robfigNext, ZoneTable, yearsInSeconds, type RobfigSpec } from './robfig-next.js';

/** How far ahead sched compares the cluster with Debian cron (years). */
export const CLOCK_CHANGE_YEARS = 5;

const DAY = 86_400;

export type DeviationKind = 'skipped' | 'doubled' | 'lost' | 'extra';

/** How one clock change makes the cluster deviate from Debian cron for one job. */
export interface ClockChangeDeviation {
  /** The instant the zone's offset changes. */
  transition: Date;
  change: 'spring' | 'autumn';
  kind: DeviationKind;
  /** The runs concerned: Debian's (skipped, lost) or the cluster's (doubled, extra). */
  runs: Date[];
}

/** A standard 5-field expression (or @-macro) as robfig's ParseStandard reads it. */
export function robfigSpec(expr: string): RobfigSpec {
  const p = parseCronForKubernetes(expr);
  return {
    second: new Set([0]),
    minute: p.minute,
    hour: p.hour,
    dom: p.dom.values,
    month: p.month,
    dow: p.dow.values,
    domStar: p.dom.robfigStar,
    dowStar: p.dow.robfigStar,
  };
}

/**
 * The deviations of the cluster from Debian cron for `expr` in `zone`, over the clock changes in
 * (`from`, `from` + `years`]. Empty when both agree. Throws on an expression Kubernetes cannot read
 * (callers check that first).
 */
export function clockChangeDeviations(
  expr: string,
  zone: string,
  from: Date,
  years = CLOCK_CHANGE_YEARS,
): ClockChangeDeviation[] {
  const spec = robfigSpec(expr);
  const start = Math.floor(from.getTime() / 1000);
  const end = start + yearsInSeconds(years);
  // robfig searches up to five years past a start: size the table for it.
  const table = new ZoneTable(zone, start - 2 * DAY, end + yearsInSeconds(6));
  const schedule = { kind: 'cron' as const, expr, source: expr };
  const out: ClockChangeDeviation[] = [];
  for (const { at: tr, before, after } of clockChanges(zone, start, end)) {
    const spring = after > before;
    const windowStart = tr - DAY;
    const horizon = tr + 2 * DAY;
    const cluster: number[] = [];
    for (let t = windowStart; ;) {
      const n = robfigNext(spec, table, t);
      if (n === undefined) break;
      cluster.push(n);
      if (n > horizon) break;
      t = n;
    }
    const windowEnd = Math.max(horizon, cluster.at(-1) ?? horizon);
    const debian = fireTimesBetween(
      schedule,
      zone,
      new Date(windowStart * 1000),
      new Date(windowEnd * 1000),
    ).map((d) => d.getTime() / 1000);
    const clusterSet = new Set(cluster);
    const debianSet = new Set(debian);
    const byKind = new Map<DeviationKind, number[]>();
    const add = (kind: DeviationKind, t: number): void => {
      byKind.set(kind, [...(byKind.get(kind) ?? []), t]);
    };
    for (const d of debian) {
      if (clusterSet.has(d)) continue;
      // Debian reports a gap-time run at the first instant after the jump.
      add(spring && d === tr ? 'skipped' : 'lost', d);
    }
    const repeated = before - after;
    for (const c of cluster) {
      if (debianSet.has(c) || c > windowEnd) continue;
      add(!spring && c >= tr && c < tr + repeated ? 'doubled' : 'extra', c);
    }
    for (const kind of ['skipped', 'lost', 'doubled', 'extra'] as const) {
      const runs = byKind.get(kind);
      if (runs)
        out.push({
          transition: new Date(tr * 1000),
          change: spring ? 'spring' : 'autumn',
          kind,
          runs: runs.map((t) => new Date(t * 1000)),
        });
    }
  }
  return out;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2025-10-05 09:00`: the instant `t` (seconds) on a wall clock `offset` seconds from UTC. */
function wall(t: number, offset: number): string {
  const w = new Date((t + offset) * 1000);
  return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
}

/** `2025-10-05 09:00` in the zone's wall clock. */
function local(d: Date, zone: string): string {
  const t = d.getTime() / 1000;
  return wall(t, offsetAt(zone, t));
}

function offsetText(d: Date, zone: string): string {
  const off = offsetAt(zone, d.getTime() / 1000);
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 3600))}:${pad(Math.floor((a % 3600) / 60))}`;
}

/** `clocks go back from 02:00 to 01:30 on 2025-04-06 (Australia/Lord_Howe)`. */
function changeText(d: ClockChangeDeviation, zone: string): string {
  const t = d.transition.getTime() / 1000;
  const from = wall(t, offsetAt(zone, t - 1));
  const to = wall(t, offsetAt(zone, t));
  const direction = d.change === 'spring' ? 'forward' : 'back';
  return `clocks go ${direction} from ${from.slice(11)} to ${to.slice(11)} on ${from.slice(0, 10)} (${zone})`;
}

function list(items: string[], limit = 4): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

/** One sentence for one deviation (plan notes). */
export function describeDeviation(d: ClockChangeDeviation, zone: string): string {
  const n = d.runs.length;
  const runs = list(d.runs.map((r) => local(r, zone)));
  const change = changeText(d, zone);
  switch (d.kind) {
    case 'skipped':
      return `${change}: the CronJob skips the run${n === 1 ? '' : 's'} Debian cron makes right after the jump (${runs}) — a time in the gap`;
    case 'doubled':
      return `${change}: the CronJob runs a second time in the repeated hour (${list(d.runs.map((r) => `${local(r, zone)} ${offsetText(r, zone)}`))}); Debian cron runs once`;
    case 'lost':
      return `${change}: the CronJob loses ${n === 1 ? 'the run' : `${n} runs`} of ${runs} outright (robfig/cron, Kubernetes' cron library, assumes whole-hour clock changes)`;
    case 'extra':
      return `${change}: the CronJob runs at ${runs}, ${n === 1 ? 'a time' : 'times'} the schedule does not name`;
  }
}

/** One line per kind for a job, for validate/render: what happens and on which dates. */
export function summarizeDeviations(
  devs: ClockChangeDeviation[],
  zone: string,
  years = CLOCK_CHANGE_YEARS,
): string {
  const parts: string[] = [];
  const verbs: Record<DeviationKind, string> = {
    skipped: 'skips the run Debian cron makes right after a spring-forward jump',
    doubled: 'runs twice in the repeated autumn hour',
    lost: 'loses runs outright (robfig/cron assumes whole-hour clock changes)',
    extra: 'runs at times the schedule does not name',
  };
  for (const kind of ['lost', 'skipped', 'doubled', 'extra'] as const) {
    const runs = devs.filter((d) => d.kind === kind).flatMap((d) => d.runs);
    if (runs.length)
      parts.push(
        `${verbs[kind]}: ${list(
          runs.map((r) => local(r, zone)),
          6,
        )}`,
      );
  }
  return `at clock changes in ${zone} within ${years} years the CronJob ${parts.join('; ')}`;
}

const cache = new Map<string, ClockChangeDeviation[]>();

/** Deviations for a job's cron schedule from `now`, computed once per job, zone and day. */
function deviationsFor(expr: string, zone: string, now: Date): ClockChangeDeviation[] {
  const day = Math.floor(now.getTime() / (DAY * 1000));
  const key = `${expr}\0${zone}\0${day}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = clockChangeDeviations(expr, zone, new Date(day * DAY * 1000));
    if (cache.size > 1000) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

/** What `validate`, `plan` and `render` say about one job's clock changes on the cluster. */
export interface ClockChangeVerdict {
  /** Set when the job is refused (a problem sentence with a hint). */
  refusal?: string;
  /** Set when the job is accepted but deviates (a warning sentence). */
  warning?: string;
  /** One note per deviation within the next year, plus a count of later ones (for plan). */
  notes: string[];
}

/**
 * The verdict for a cron job in `zone` as of `now`: refuse runs lost outright unless
 * `strict === false`; refuse any deviation when `strict === true`; otherwise warn.
 */
export function clockChangeVerdict(
  expr: string,
  zone: string,
  now: Date,
  strict: boolean | undefined,
): ClockChangeVerdict {
  const devs = deviationsFor(expr, zone, now);
  if (devs.length === 0) return { notes: [] };
  const yearAhead = now.getTime() + 366 * DAY * 1000;
  const soon = devs.filter((d) => d.transition.getTime() <= yearAhead);
  const notes = soon.map((d) => describeDeviation(d, zone));
  const later = devs.length - soon.length;
  if (later > 0)
    notes.push(
      `${later} more clock change${later === 1 ? '' : 's'} in ${zone} within ${CLOCK_CHANGE_YEARS} years make the CronJob differ from Debian cron the same way (sched validate lists the dates)`,
    );
  const summary = summarizeDeviations(devs, zone);
  const lost = devs.some((d) => d.kind === 'lost');
  const refused = strict === true || (strict === undefined && lost);
  if (!refused) return { warning: summary, notes };
  const why =
    strict === true ? 'kubernetes.strict_clock_changes is true' : 'runs would be lost without a trace';
  return {
    refusal: `${summary} (refused: ${why}). Hint: use a zone without such changes (UTC), pick times clear of the change hours, or set kubernetes.strict_clock_changes: false to accept the differences`,
    notes,
  };
}
