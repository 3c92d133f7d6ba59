/**
 * The skeleton the cron → native-calendar conversions share (launchd `StartCalendarInterval`,
 * Task Scheduler triggers): both express a cron spec as every day pattern joined with every
 * time-of-day pattern, and both refuse — with a reason and a hint — what the native form cannot
 * say exactly, instead of approximating.
 */

/** A refused conversion: why the native form cannot express the schedule, and what to do. */
export interface Refused<C extends string> {
  ok: false;
  reason: string;
  hint: string;
  code: C;
}

/** Thrown inside a conversion; {@link convertOrRefuse} turns it into a {@link Refused} result. */
export class Refusal<C extends string = string> {
  constructor(
    readonly code: C,
    readonly reason: string,
    readonly hint: string,
  ) {}
}

/**
 * Runs `convert`; a {@link Refusal} it throws becomes the `{ ok: false }` result. Callers throw
 * only refusals with their own codes (plus `never-fires` from {@link joinDaysAndTimes}), which is
 * what the cast to `C` relies on.
 */
export function convertOrRefuse<C extends string, R>(convert: () => R): R | Refused<C | 'never-fires'> {
  try {
    return convert();
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, reason: e.reason, hint: e.hint, code: e.code as C };
    throw e;
  }
}

/**
 * Every day pattern joined with every time pattern (`join(day, time)`, days outermost), or a
 * refusal: `never-fires` when there is no day, `tooMany(total)` when more than `max` entries
 * would be needed. `times` is computed only when there is a day.
 */
export function joinDaysAndTimes<D, T, X>(
  days: readonly D[],
  times: () => readonly T[],
  max: number,
  tooMany: (total: number, timeCount: number) => Refusal,
  join: (day: D, time: T) => X,
): X[] {
  if (days.length === 0) {
    throw new Refusal('never-fires', 'it never fires (no such date)', 'fix the day and month fields.');
  }
  const timeList = times();
  const total = days.length * timeList.length;
  if (total > max) throw tooMany(total, timeList.length);
  const out: X[] = [];
  for (const d of days) for (const t of timeList) out.push(join(d, t));
  return out;
}
