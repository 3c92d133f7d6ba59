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

/**
 * What the schedulers' own documentation says about clock changes. launchd.plist(5) only calls
 * StartCalendarInterval "much like crontab(5)" in the host's local time; Task Scheduler documents
 * that a StartBoundary without an offset (what sched writes) follows the host's time zone and
 * daylight-saving rules. Neither documents what happens to a skipped or repeated local time, so
 * the plan says exactly that instead of guessing.
 */
const LAUNCHD_DOC = 'launchd documents calendar intervals in local time, much like crontab(5), but no rule';
const WINDOWS_DOC =
  "Task Scheduler documents that a trigger without a UTC offset (as sched writes it) follows the host's time zone and daylight-saving rules";

/** What each backend does, per effect; a backend missing here gets an honest "not verified". */
const BEHAVIOUR: Record<Effect, Partial<Record<BackendName, string>>> = {
  // a fixed-time run in the spring gap
  moved: {
    crontab: 'Debian cron runs it once right after the jump',
    embedded: 'sched daemon runs it once right after the jump (Debian cron rule)',
    systemd:
      'the systemd timer runs it once right after the jump (Debian cron rule, through an explicit OnCalendar= line)',
    kubernetes: 'the CronJob controller skips it that day',
    launchd: `${LAUNCHD_DOC} for a local time the clock skips — it may run after the jump or not that day (not verified by sched)`,
    windows: `${WINDOWS_DOC}, but none for a time the clock skips — it may run after the jump or not that day (not verified by sched)`,
  },
  // wildcard runs in the spring gap: no such local time anywhere
  skipped: {},
  // a fixed-time run in the repeated autumn hour
  once: {
    crontab: 'Debian cron runs it once, in the first pass',
    embedded: 'sched daemon runs it once, in the first pass (Debian cron rule)',
    systemd: 'the systemd timer runs it once, in the first pass (Debian cron rule)',
    kubernetes: 'the CronJob controller runs it twice',
    launchd: `${LAUNCHD_DOC} for a local time that repeats — it may run once or twice (not verified by sched)`,
    windows: `${WINDOWS_DOC}, but none for a time that repeats — it may run once or twice (not verified by sched)`,
  },
  // wildcard runs in the repeated autumn hour
  doubled: {
    crontab: 'Debian cron fires in both passes',
    embedded: 'sched daemon fires in both passes (Debian cron rule)',
    systemd:
      'the systemd timer fires in both passes (Debian cron rule; explicit OnCalendar= lines add the second pass)',
    kubernetes: 'the CronJob controller fires in both passes',
    launchd: `${LAUNCHD_DOC} for a local time that repeats — it may fire in one pass or both (not verified by sched)`,
    windows: `${WINDOWS_DOC}, but none for a time that repeats — repetitions may fire in one pass or both (not verified by sched)`,
  },
};

function behaviour(effect: Effect, backend: BackendName): string {
  if (effect === 'skipped') return 'those runs are lost on every backend (no such local time)';
  return BEHAVIOUR[effect][backend] ?? `${backend} applies its own rule (not verified by sched)`;
}

/** Notes for the clock changes in the next `days` days (a year by default). */
export function dstNotes(job: Job, backend: BackendName, now: Date, days?: number): string[] {
  const until = new Date(now.getTime() + (days === undefined ? YEAR_MS : days * 86_400_000));
  return dstEffects(job.schedule, job.timezone, now, until).map((e) => {
    const where = e.change === 'spring' ? 'the DST gap' : 'the repeated DST hour';
    const verb = e.runs === 1 ? 'falls' : 'fall';
    return `${e.subject} ${verb} in ${where} (${job.timezone}): ${behaviour(e.effect, backend)}`;
  });
}
