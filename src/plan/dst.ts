/**
 * DST notes for `plan`: within the next year, does a job's schedule name a local time that a
 * daylight-saving change skips or repeats in its zone — and what does the backend do then?
 * Backends disagree, so the plan says it per backend instead of hiding it.
 * Which runs are affected comes from the schedule engine (`dstEffects`); this adds the words.
 * Backends that know better say it themselves (`Backend.notes`, e.g. systemd's exact model).
 */
import type { BackendName, Job } from '../model/job.js';
import { dstEffects, type DstEffect } from '../schedule/occurrences.js';

const YEAR_MS = 366 * 86_400_000;

type Effect = DstEffect['effect'];

/** What each backend does, per effect; a backend missing here gets an honest "not verified". */
const BEHAVIOUR: Record<Effect, Partial<Record<BackendName, string>>> = {
  // a fixed-time run in the spring gap
  moved: {
    crontab: 'Debian cron runs it once right after the jump',
    embedded: 'sched daemon runs it once right after the jump (Debian cron rule)',
    kubernetes: 'the CronJob controller skips it that day',
  },
  // wildcard runs in the spring gap: no such local time anywhere
  skipped: {},
  // a fixed-time run in the repeated autumn hour
  once: {
    crontab: 'Debian cron runs it once, in the first pass',
    embedded: 'sched daemon runs it once, in the first pass (Debian cron rule)',
    kubernetes: 'the CronJob controller runs it twice',
  },
  // wildcard runs in the repeated autumn hour
  doubled: {
    crontab: 'Debian cron fires in both passes',
    embedded: 'sched daemon fires in both passes (Debian cron rule)',
    kubernetes: 'the CronJob controller fires in both passes',
  },
};

function behaviour(effect: Effect, backend: BackendName): string {
  if (effect === 'skipped') return 'those runs are lost on every backend (no such local time)';
  return BEHAVIOUR[effect][backend] ?? `${backend} applies its own rule (not verified by sched)`;
}

export function dstNotes(job: Job, backend: BackendName, now: Date): string[] {
  const until = new Date(now.getTime() + YEAR_MS);
  return dstEffects(job.schedule, job.timezone, now, until).map((e) => {
    const where = e.change === 'spring' ? 'the DST gap' : 'the repeated DST hour';
    const verb = e.runs === 1 ? 'falls' : 'fall';
    return `${e.subject} ${verb} in ${where} (${job.timezone}): ${behaviour(e.effect, backend)}`;
  });
}
