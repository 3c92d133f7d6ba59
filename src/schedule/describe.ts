/**
 * A schedule in words, for `plan`, `status` and `sched next`. Cron expressions go through
 * cronstrue; where cronstrue's words could be read against Debian's day-of-month/day-of-week
 * rule, a short clarification is appended.
 */
import { createRequire } from 'node:module';
import type Cronstrue from 'cronstrue';
import type { Schedule } from '../model/job.js';
import { MACRO_EXPANSIONS, parseCron } from './cron.js';

// cronstrue takes ~25 ms to load and a no-change plan describes nothing: load it on first use.
const require = createRequire(import.meta.url);
let cronstrue: typeof Cronstrue | undefined;

function allSet(bits: boolean[], from: number, to: number): boolean {
  for (let i = from; i <= to; i++) if (!bits[i]) return false;
  return true;
}

/** Words for a 5-field expression or @-macro, e.g. `0 2 * * *` → "At 02:00 AM". */
export function describeCron(expr: string): string {
  const text = expr.trim();
  const fields = MACRO_EXPANSIONS[text] ?? text;
  let words: string;
  try {
    words = (cronstrue ??= require('cronstrue') as typeof Cronstrue).toString(fields, {
      verbose: false,
      use24HourTimeFormat: true,
    });
  } catch {
    words = `cron '${text}'`;
  }
  try {
    const spec = parseCron(text);
    const domRestricted = !allSet(spec.dom, 1, 31);
    const dowRestricted = !allSet(spec.dow, 0, 6);
    if (domRestricted && dowRestricted) {
      words +=
        spec.domStar || spec.dowStar
          ? ' (only on days that match both the day of month and the day of week)'
          : ' (on days that match the day of month or the day of week)';
    }
  } catch {
    // an invalid expression still gets cronstrue's words (validation reports it elsewhere)
  }
  return words;
}

/** A schedule in words: cron via cronstrue, events and one-shots spelled out. */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'cron':
      return describeCron(schedule.expr);
    case 'event':
      return schedule.event === 'boot' ? 'At boot' : 'On wake from sleep';
    case 'at':
      return `Once, at ${schedule.local}`;
  }
}
