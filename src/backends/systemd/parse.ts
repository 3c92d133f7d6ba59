/**
 * Pure reading of the unit files sched renders: the ownership header, sections and keys, and the
 * quoted/escaped values of ExecStart= and Environment= (systemd.syntax(7) rules, the subset our
 * renderer emits plus plain unquoted words). parse∘render is the identity (property-tested).
 */
import { parseOwnership, type Ownership } from '../header.js';

export interface SplitUnit {
  ownership?: Ownership;
  /** The file without its first line when that line is sched's header; the whole file otherwise. */
  body: string;
}

/** Separates sched's header line (`# sched-managed …`) from the body it hashes. */
export function splitHeader(text: string): SplitUnit {
  const nl = text.indexOf('\n');
  const first = nl === -1 ? text : text.slice(0, nl);
  if (first.startsWith('# ')) {
    const ownership = parseOwnership(first);
    if (ownership) return { ownership, body: nl === -1 ? '' : text.slice(nl + 1) };
  }
  return { body: text };
}

/** Section name → key → values in file order (keys may repeat: OnCalendar=, Environment=). */
export type UnitSections = Map<string, Map<string, string[]>>;

export function parseUnitSections(text: string): UnitSections {
  const sections: UnitSections = new Map();
  let current: Map<string, string[]> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      const name = line.slice(1, -1);
      current = sections.get(name) ?? new Map<string, string[]>();
      sections.set(name, current);
      continue;
    }
    // Line continuation: a trailing backslash joins the next line (with a space, as systemd does).
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + ' ' + lines[++i]!.trim();
    }
    const eq = line.indexOf('=');
    if (eq === -1 || !current) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const list = current.get(key) ?? [];
    list.push(value);
    current.set(key, list);
  }
  return sections;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
  s: ' ',
};

/**
 * Splits a value into words the way systemd's extract_first_word(UNQUOTE|CUNESCAPE) does, then
 * undoes specifier (`%%`) and, when `dollar`, variable (`$$`) escaping.
 */
export function splitWords(value: string, dollar: boolean): string[] {
  const words: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    while (i < n && /\s/.test(value[i]!)) i++;
    if (i >= n) break;
    let word = '';
    let quote: '"' | "'" | undefined;
    for (; i < n; i++) {
      const ch = value[i]!;
      if (!quote && /\s/.test(ch)) break;
      if (!quote && (ch === '"' || ch === "'")) {
        quote = ch;
        continue;
      }
      if (quote && ch === quote) {
        quote = undefined;
        continue;
      }
      if (ch === '\\' && i + 1 < n) {
        const next = value[i + 1]!;
        if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 2, i + 4))) {
          word += String.fromCharCode(parseInt(value.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(value.slice(i + 2, i + 6))) {
          word += String.fromCodePoint(parseInt(value.slice(i + 2, i + 6), 16));
          i += 5;
        } else if (next in SIMPLE_ESCAPES) {
          word += SIMPLE_ESCAPES[next];
          i += 1;
        } else {
          word += next;
          i += 1;
        }
        continue;
      }
      if (ch === '%' && value[i + 1] === '%') {
        word += '%';
        i += 1;
        continue;
      }
      if (dollar && ch === '$' && value[i + 1] === '$') {
        word += '$';
        i += 1;
        continue;
      }
      word += ch;
    }
    words.push(word);
  }
  return words;
}

/** Undoes `%%` in a single-word value (WorkingDirectory=, EnvironmentFile=, Description=). */
export function unescapeSpecifiers(value: string): string {
  return value.replace(/%%/g, '%');
}

export interface ParsedService {
  ownership?: Ownership;
  description?: string;
  type?: string;
  execStart: string[];
  workingDirectory?: string;
  environmentFile?: string;
  environment: Record<string, string>;
}

export function parseServiceUnit(text: string): ParsedService {
  const { ownership, body } = splitHeader(text);
  const sections = parseUnitSections(body);
  const unit = sections.get('Unit');
  const svc = sections.get('Service');
  const environment: Record<string, string> = {};
  for (const line of svc?.get('Environment') ?? []) {
    for (const word of splitWords(line, false)) {
      const eq = word.indexOf('=');
      if (eq > 0) environment[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  const last = (m: Map<string, string[]> | undefined, k: string) => m?.get(k)?.at(-1);
  const wd = last(svc, 'WorkingDirectory');
  const ef = last(svc, 'EnvironmentFile');
  const desc = last(unit, 'Description');
  const exec = last(svc, 'ExecStart');
  return {
    ownership,
    description: desc === undefined ? undefined : unescapeSpecifiers(desc),
    type: last(svc, 'Type'),
    execStart: exec === undefined ? [] : splitWords(exec, true),
    workingDirectory: wd === undefined ? undefined : unescapeSpecifiers(wd),
    environmentFile: ef === undefined ? undefined : unescapeSpecifiers(ef),
    environment,
  };
}

export interface ParsedTimer {
  ownership?: Ownership;
  onCalendar: string[];
  onStartupSec?: string;
  onBootSec?: string;
  accuracySec?: string;
  persistent?: boolean;
  randomizedDelaySec?: string;
  unit?: string;
  wantedBy: string[];
}

export function parseTimerUnit(text: string): ParsedTimer {
  const { ownership, body } = splitHeader(text);
  const sections = parseUnitSections(body);
  const t = sections.get('Timer');
  const last = (k: string) => t?.get(k)?.at(-1);
  const persistent = last('Persistent');
  return {
    ownership,
    onCalendar: t?.get('OnCalendar') ?? [],
    onStartupSec: last('OnStartupSec'),
    onBootSec: last('OnBootSec'),
    accuracySec: last('AccuracySec'),
    persistent: persistent === undefined ? undefined : /^(1|yes|true|on)$/i.test(persistent),
    randomizedDelaySec: last('RandomizedDelaySec'),
    unit: last('Unit'),
    wantedBy: (sections.get('Install')?.get('WantedBy') ?? []).flatMap((v) => v.split(/\s+/).filter(Boolean)),
  };
}
