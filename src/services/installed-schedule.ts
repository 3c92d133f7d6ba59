/**
 * What a native entry edited by hand really schedules, read back from its text, so `status`
 * shows when the host will fire it rather than what sched once wrote. Pure. Only the entries
 * whose schedule is plain text sched can read (a crontab line, systemd's OnCalendar=) are read;
 * for the others the answer is "unknown".
 */
import { CRONTAB_KIND } from '../backends/crontab/render.js';
import { compensatedUntil, isExplicitUtcLine } from '../backends/systemd/compensation.js';
import { parseTimerUnit } from '../backends/systemd/parse.js';
import { onCalendarToCron } from '../backends/systemd/import.js';
import type { Schedule } from '../model/job.js';
import { parseSchedule } from '../schedule/cron.js';

/** One schedule an entry fires on, in the zone it fires in. */
export interface NativeSchedule {
  schedule: Schedule;
  timezone: string;
}

/**
 * The schedules of a native artifact (a timer may have several OnCalendar= lines), or undefined
 * when its text cannot be read as a schedule (unknown kind, syntax sched does not read).
 * `hostZone` is the zone of the host's scheduler, where a crontab line or a zone-less
 * OnCalendar= fires.
 */
export function nativeSchedules(
  artifact: { kind: string; content: string },
  hostZone: string,
): NativeSchedule[] | undefined {
  try {
    if (artifact.kind === CRONTAB_KIND) {
      const line = artifact.content
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l !== '' && !l.startsWith('#') && !/^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(l));
      if (!line) return undefined;
      const words = line.split(/\s+/);
      const when = words[0]!.startsWith('@') ? words[0]! : words.slice(0, 5).join(' ');
      return [{ schedule: parseSchedule(when), timezone: hostZone }];
    }
    if (artifact.kind === 'timer') {
      // sched's clock-change lines (under its comment) belong to the calendar they follow.
      const ours = compensatedUntil(artifact.content) !== undefined;
      const values = parseTimerUnit(artifact.content).onCalendar.filter(
        (v) => v.trim() !== '' && !(ours && isExplicitUtcLine(v)),
      );
      if (values.length === 0) return undefined;
      const out: NativeSchedule[] = [];
      for (const value of values) {
        const cron = onCalendarToCron(value);
        if ('reason' in cron) return undefined;
        out.push({ schedule: parseSchedule(cron.cron), timezone: cron.timezone ?? hostZone });
      }
      return out;
    }
  } catch {
    // Text sched cannot read as a schedule: the caller says "unknown" rather than guess.
  }
  return undefined;
}
