/**
 * Missed fire times: the fire times of a schedule that passed in an interval, how many, the
 * earliest and the most recent — the one a late, caught-up or coalesced run stands for. The one
 * home of this question for the wrapper's late-start check, `sched run --catch-up`, the daemon's
 * coalescing after a suspend and the overdue check (cf. the Kubernetes CronJob controller's
 * `mostRecentScheduleTime`).
 *
 * Pure and engine-agnostic: the occurrence engine comes in as a function, so the wrapper can load
 * the engine lazily (it is not needed on most runs) and the daemon's tests can drive it with an
 * independent oracle. Instants are compared at the engine's precision (whole seconds for
 * `fireTimesBetween`).
 */

/**
 * The fire times of one schedule in one zone in the interval (`from`, `to`], oldest first; may be
 * lazy (only as many are taken as needed). `fireTimesBetween` bound to a schedule and a zone is one.
 */
export type FireTimesIn = (from: Date, to: Date) => Iterable<Date>;

/** What passed in (since, until]. */
export interface MissedFireTimes {
  /** How many fire times passed, at most the cap. */
  count: number;
  /** The first of them; undefined when none passed. */
  earliest: Date | undefined;
  /** The last of them (exact even when the count is capped); undefined when none passed. */
  mostRecent: Date | undefined;
  /** More fire times passed than the cap: `count` is the cap, not the whole number. */
  tooMany: boolean;
}

const HOUR_MS = 3600_000;
/**
 * How far back {@link mostRecentFireTime} looks, in widening windows: a dense schedule is found in
 * the first (cheap) window, a yearly one in the fourth, a leap-day one in the last.
 */
const LOOK_BACK_MS = [HOUR_MS, 26 * HOUR_MS, 32 * 24 * HOUR_MS, 367 * 24 * HOUR_MS, 4 * 367 * 24 * HOUR_MS];

function lastOf(fires: Iterable<Date>): Date | undefined {
  let last: Date | undefined;
  for (const t of fires) last = t;
  return last;
}

/**
 * The most recent fire time in (`since`, `until`], or undefined when there is none. Without
 * `since`, looks back at most about four years. Searches widening windows back from `until`, so a
 * dense schedule costs one hour's fire times, not the whole interval's.
 */
export function mostRecentFireTime(fires: FireTimesIn, until: Date, since?: Date): Date | undefined {
  const end = until.getTime();
  const floor = since?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (end <= floor) return undefined;
  for (const span of LOOK_BACK_MS) {
    const start = Math.max(floor, end - span);
    const found = lastOf(fires(new Date(start), until));
    if (found) return found;
    if (start <= floor) return undefined;
  }
  // Nothing in four years, and the interval reaches further back: a sparse schedule, cheap to list.
  return since ? lastOf(fires(since, until)) : undefined;
}

/**
 * The fire times that passed in (`since`, `until`]: how many (counting stops at `cap`, so a long
 * suspend of an every-minute job costs at most `cap` instants), the earliest and the most recent.
 */
export function missedFireTimes(
  fires: FireTimesIn,
  since: Date,
  until: Date,
  cap = Number.POSITIVE_INFINITY,
): MissedFireTimes {
  if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()))
    throw new RangeError('fire times need a valid start and end date');
  let count = 0;
  let earliest: Date | undefined;
  let mostRecent: Date | undefined;
  if (until.getTime() > since.getTime()) {
    for (const t of fires(since, until)) {
      if (count >= cap) {
        return { count, earliest, mostRecent: mostRecentFireTime(fires, until, mostRecent), tooMany: true };
      }
      earliest ??= t;
      mostRecent = t;
      count++;
    }
  }
  return { count, earliest, mostRecent, tooMany: false };
}

/**
 * A {@link FireTimesIn} over an engine that gives the first fire time strictly after an instant
 * (the daemon's `nextFireTimes(…, 1)`): lazy, one engine call per fire time taken.
 */
export function fireTimesFromNext(firstAfter: (from: Date) => Date | undefined): FireTimesIn {
  return function* (from: Date, to: Date): Generator<Date> {
    const end = to.getTime();
    for (let t = firstAfter(from); t && t.getTime() <= end; t = firstAfter(t)) yield t;
  };
}
