/**
 * DST notes for `plan`: within the next year, does a job's schedule name a local time that a
 * daylight-saving change skips or repeats in its zone — and what does the backend do then?
 * Backends disagree, so the plan says it per backend instead of hiding it; each backend's words
 * are its provider's `clockChanges` (src/backends/<name>/provider.ts).
 * Which runs are affected comes from the schedule engine (`dstEffects`); this adds the words.
 * Backends that know better say it themselves (`Backend.notes`, e.g. systemd's exact model).
 */
import type { Job } from '../model/job.js';
import { dstEffects, type DstEffect } from '../schedule/occurrences.js';

const YEAR_MS = 366 * 86_400_000;

type Effect = DstEffect['effect'];

/** What a backend does with a run a clock change moves, keeps once or doubles (its provider's words). */
export interface ClockChangeBehaviour {
  name: string;
  clockChanges?: Partial<Record<Exclude<Effect, 'skipped'>, string>>;
}

function behaviour(effect: Effect, backend: ClockChangeBehaviour): string {
  if (effect === 'skipped') return 'those runs are lost on every backend (no such local time)';
  return backend.clockChanges?.[effect] ?? `${backend.name} applies its own rule (not verified by sched)`;
}

/** Notes for the clock changes in the next `days` days (a year by default). */
export function dstNotes(job: Job, backend: ClockChangeBehaviour, now: Date, days?: number): string[] {
  const until = new Date(now.getTime() + (days === undefined ? YEAR_MS : days * 86_400_000));
  return dstEffects(job.schedule, job.timezone, now, until).map((e) => {
    const where = e.change === 'spring' ? 'the DST gap' : 'the repeated DST hour';
    const verb = e.runs === 1 ? 'falls' : 'fall';
    return `${e.subject} ${verb} in ${where} (${job.timezone}): ${behaviour(e.effect, backend)}`;
  });
}
