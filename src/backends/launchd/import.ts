/**
 * Pure conversion of a foreign launch agent (a parsed plist) into a job proposal.
 * StartCalendarInterval → cron, exactly: a dict is one cron expression (a missing key is every
 * value, as in cron); an array of dicts (a union) only when it is the cartesian product of
 * per-key value sets, which is what one cron expression with lists means. Day together with
 * Weekday, and Weekday with Month, are read differently by different launchd versions
 * (ARCHITECTURE.md, "Native formats"), so they are refused rather than guessed. StartInterval (every N seconds since load) has no
 * cron equivalent.
 */
import { canEverFire, parseCron } from '../../schedule/cron.js';
import type { ImportSource, UnnamedProposal } from '../../import/types.js';

const KEYS = ['Minute', 'Hour', 'Day', 'Month', 'Weekday'] as const;
type Key = (typeof KEYS)[number];
const RANGE: Record<Key, [number, number]> = {
  Minute: [0, 59],
  Hour: [0, 23],
  Day: [1, 31],
  Month: [1, 12],
  Weekday: [0, 7],
};

export interface LaunchAgentOptions {
  homeDir: string;
  hostTimezone: string;
  defaultTimezone?: string;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** StartCalendarInterval as a cron expression, or why not. */
export function calendarIntervalToCron(value: unknown): { cron: string } | { reason: string } {
  const dicts = Array.isArray(value) ? value : [value];
  if (dicts.length === 0)
    return { reason: 'cannot import exactly: an empty StartCalendarInterval array never fires' };
  const tuples: (number | '*')[][] = [];
  for (const d of dicts) {
    if (!isDict(d))
      return { reason: 'cannot import exactly: a StartCalendarInterval entry is not a dictionary' };
    const unknown = Object.keys(d).filter((k) => !(KEYS as readonly string[]).includes(k));
    if (unknown.length)
      return { reason: `cannot import exactly: unknown StartCalendarInterval keys ${unknown.join(', ')}` };
    if ('Weekday' in d && 'Day' in d)
      return {
        reason:
          'cannot import exactly: Day and Weekday in one entry are read differently by different launchd versions',
      };
    if ('Weekday' in d && 'Month' in d)
      return { reason: 'cannot import exactly: launchd ignores Month when Weekday is set' };
    const tuple: (number | '*')[] = [];
    for (const k of KEYS) {
      const v = d[k];
      if (v === undefined) {
        tuple.push('*');
        continue;
      }
      const [min, max] = RANGE[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        return { reason: `cannot import exactly: ${k} ${String(v)} is out of range (${min}-${max})` };
      }
      tuple.push(k === 'Weekday' && v === 7 ? 0 : v);
    }
    tuples.push(tuple);
  }
  // The union is one cron expression only if it is the product of each key's values.
  const sets = KEYS.map((_, i) => [...new Set(tuples.map((t) => t[i]!))]);
  for (const [i, s] of sets.entries()) {
    if (s.includes('*') && s.length > 1) {
      return {
        reason: `cannot import exactly: ${KEYS[i]} is set in some calendar entries and not in others`,
      };
    }
  }
  const product = sets.reduce((n, s) => n * s.length, 1);
  const distinct = new Set(tuples.map((t) => t.join(' ')));
  if (product !== distinct.size) {
    return {
      reason: `cannot import exactly: the ${dicts.length} calendar entries are not one cron expression (they are not every combination of their values)`,
    };
  }
  const field = (i: number): string => {
    const s = sets[i]!;
    if (s[0] === '*') return '*';
    return (s as number[]).sort((a, b) => a - b).join(',');
  };
  // cron order: minute hour day month weekday.
  const cron = [0, 1, 2, 3, 4].map(field).join(' ');
  const spec = parseCron(cron);
  // Day and Weekday never share an entry (refused above), so at most one of them is set and
  // cron's OR rule never applies.
  if (!canEverFire(spec)) return { reason: 'cannot import exactly: it never fires' };
  return { cron };
}

/**
 * A launch agent as a proposal; undefined when it is not a scheduled job (no
 * StartCalendarInterval / StartInterval) or is disabled; a refusal when it cannot be exact.
 */
export function convertLaunchAgent(
  file: string,
  plist: unknown,
  options: LaunchAgentOptions,
): UnnamedProposal | { source: ImportSource; reason: string } | undefined {
  if (!isDict(plist)) return undefined;
  const label = typeof plist.Label === 'string' ? plist.Label : file.replace(/\.plist$/, '');
  if (plist.Disabled === true) return undefined;
  const calendar = plist.StartCalendarInterval;
  const interval = plist.StartInterval;
  if (calendar === undefined && interval === undefined) return undefined;
  const source: ImportSource = {
    scheduler: 'launchd',
    where: `agent ${label}`,
    original: JSON.stringify(calendar ?? { StartInterval: interval }),
    id: label,
  };
  const refuse = (reason: string) => ({ source, reason });
  if (calendar === undefined)
    return refuse(
      `cannot import exactly: StartInterval=${String(interval)} (every N seconds since it was loaded) has no cron equivalent`,
    );
  const converted = calendarIntervalToCron(calendar);
  if ('reason' in converted) return refuse(converted.reason);
  let argv: string[];
  if (
    Array.isArray(plist.ProgramArguments) &&
    plist.ProgramArguments.every((a) => typeof a === 'string') &&
    plist.ProgramArguments.length
  ) {
    argv = plist.ProgramArguments as string[];
    if (typeof plist.Program === 'string' && plist.Program !== argv[0]) {
      return refuse(
        'cannot import exactly: Program differs from ProgramArguments[0] (argv[0] is not the executable)',
      );
    }
  } else if (typeof plist.Program === 'string') {
    argv = [plist.Program];
  } else {
    return refuse('the agent has no ProgramArguments or Program');
  }
  const proposal: UnnamedProposal = {
    schedule: converted.cron,
    command: argv,
    notes: [`imported from launch agent ${label} (${file})`],
    source,
    nameHint: label.split('.').at(-1) || label,
    working_dir: typeof plist.WorkingDirectory === 'string' ? plist.WorkingDirectory : options.homeDir,
  };
  if (isDict(plist.EnvironmentVariables)) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(plist.EnvironmentVariables)) if (typeof v === 'string') env[k] = v;
    if (Object.keys(env).length) proposal.env = env;
  }
  // launchd has no catch-up after power-off, so the imported job keeps catch_up off (the default).
  if ((options.defaultTimezone ?? options.hostTimezone) !== options.hostTimezone)
    proposal.timezone = options.hostTimezone;
  return proposal;
}
