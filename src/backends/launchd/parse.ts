/**
 * Reads a launchd agent plist back to the fields sched sets. Pure.
 */
import plist from 'plist';
import { parseOwnership, type Ownership } from '../header.js';
import type { LaunchdCalendarDict } from '../../schedule/to-launchd.js';

export interface ParsedLaunchdPlist {
  ownership?: Ownership;
  label: string;
  programArguments: string[];
  runAtLoad: boolean;
  calendar?: LaunchdCalendarDict[];
  standardOutPath?: string;
  standardErrorPath?: string;
}

const CAL_KEYS = ['Day', 'Hour', 'Minute', 'Month', 'Weekday'] as const;

/** Parses plist text (XML). Throws an Error with a plain message when it is not an agent plist. */
export function parseLaunchdPlist(text: string): ParsedLaunchdPlist {
  let value: plist.PlistValue;
  try {
    value = plist.parse(text);
  } catch (e) {
    throw new Error(`not a readable plist: ${(e as Error).message}`);
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    value instanceof Date ||
    Buffer.isBuffer(value)
  ) {
    throw new Error('not a plist dictionary');
  }
  const d = value as Record<string, plist.PlistValue>;
  if (typeof d.Label !== 'string') throw new Error('plist has no Label');
  const args = Array.isArray(d.ProgramArguments) ? d.ProgramArguments.map(String) : [];
  let calendar: LaunchdCalendarDict[] | undefined;
  const sci = d.StartCalendarInterval;
  if (sci !== undefined) {
    const list = Array.isArray(sci) ? sci : [sci];
    calendar = list.map((entry) => {
      const out: LaunchdCalendarDict = {};
      const e = (entry ?? {}) as Record<string, unknown>;
      for (const k of CAL_KEYS) if (typeof e[k] === 'number') out[k] = e[k] as number;
      return out;
    });
  }
  const result: ParsedLaunchdPlist = {
    label: d.Label,
    programArguments: args,
    runAtLoad: d.RunAtLoad === true,
  };
  const own = parseOwnership(text);
  if (own) result.ownership = own;
  if (calendar) result.calendar = calendar;
  if (typeof d.StandardOutPath === 'string') result.standardOutPath = d.StandardOutPath;
  if (typeof d.StandardErrorPath === 'string') result.standardErrorPath = d.StandardErrorPath;
  return result;
}
