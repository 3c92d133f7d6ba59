/**
 * DST notes for `plan`: within the next year, does a job's schedule name a local time that a
 * daylight-saving change skips or repeats in its zone — and what does the backend do then?
 * Backends disagree (DESIGN.md §3), so the plan says it per backend instead of hiding it.
 */
import type { BackendName, Job } from '../model/job.js';
import { cronMatches, isWildcardJob, parseCron } from '../schedule/cron.js';
import type { CronSpec } from '../schedule/cron.js';
import { nextTransition, offsetAt } from '../schedule/zoned.js';

const YEAR_SECONDS = 366 * 86_400;

/** What each backend does with a fixed-time job in a spring gap / autumn repeat. */
const FIXED_GAP: Partial<Record<BackendName, string>> = {
  crontab: 'Debian cron runs it once right after the jump',
  embedded: 'sched daemon runs it once right after the jump (Debian cron rule)',
  systemd: 'systemd skips it that day (a known systemd behaviour)',
  kubernetes: 'the CronJob controller skips it that day',
};
const FIXED_REPEAT: Partial<Record<BackendName, string>> = {
  crontab: 'Debian cron runs it once, in the first pass',
  embedded: 'sched daemon runs it once, in the first pass (Debian cron rule)',
  systemd: 'systemd skips the whole repeated hour (a known systemd behaviour)',
  kubernetes: 'the CronJob controller runs it twice',
};
const WILDCARD_REPEAT: Partial<Record<BackendName, string>> = {
  crontab: 'Debian cron fires in both passes',
  embedded: 'sched daemon fires in both passes (Debian cron rule)',
  systemd: 'systemd skips the whole repeated hour (a known systemd behaviour)',
  kubernetes: 'the CronJob controller fires in both passes',
};

function unverified(backend: BackendName): string {
  return `${backend} applies its own rule (not verified by sched)`;
}

function hhmm(localSeconds: number): string {
  return new Date(localSeconds * 1000).toISOString().slice(11, 16);
}
function day(localSeconds: number): string {
  return new Date(localSeconds * 1000).toISOString().slice(0, 10);
}

/** Local minutes in [lo, hi) (local seconds) that the spec names. */
function matchingMinutes(spec: CronSpec, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let m = lo; m < hi; m += 60) {
    const d = new Date(m * 1000);
    const fields = {
      minute: d.getUTCMinutes(),
      hour: d.getUTCHours(),
      dom: d.getUTCDate(),
      month: d.getUTCMonth() + 1,
      dow: d.getUTCDay(),
    };
    if (cronMatches(spec, fields)) out.push(m);
  }
  return out;
}

export function dstNotes(job: Job, backend: BackendName, now: Date): string[] {
  if (job.schedule.kind !== 'cron') return [];
  const spec = parseCron(job.schedule.expr);
  const zone = job.timezone;
  const notes: string[] = [];
  const start = Math.floor(now.getTime() / 1000);
  const limit = start + YEAR_SECONDS;
  for (let t = start, tr = nextTransition(zone, t, limit); tr !== undefined; t = tr, tr = nextTransition(zone, t, limit)) {
    const before = offsetAt(zone, tr - 1);
    const after = offsetAt(zone, tr);
    const lo = tr + Math.min(before, after);
    const hi = tr + Math.max(before, after);
    const hits = matchingMinutes(spec, lo, hi);
    if (hits.length === 0) continue;
    const times = hits.length <= 3 ? hits.map(hhmm).join(', ') : `its ${hits.length} runs between ${hhmm(lo)} and ${hhmm(hi)}`;
    const verb = (one: string, many: string) => (hits.length === 1 ? one : many);
    const wildcard = isWildcardJob(spec);
    if (after > before) {
      const what = wildcard
        ? 'those runs are lost on every backend (no such local time)'
        : (FIXED_GAP[backend] ?? unverified(backend));
      notes.push(`${day(lo)}: ${zone} skips ${hhmm(lo)}–${hhmm(hi)}, so ${times} ${verb('does', 'do')} not happen; ${what}`);
    } else {
      const what = wildcard ? (WILDCARD_REPEAT[backend] ?? unverified(backend)) : (FIXED_REPEAT[backend] ?? unverified(backend));
      notes.push(`${day(lo)}: ${zone} repeats ${hhmm(lo)}–${hhmm(hi)}, so ${times} ${verb('happens', 'happen')} twice; ${what}`);
    }
  }
  return notes;
}
