/**
 * Canonical form of Task XML, for comparing what sched rendered with what
 * `schtasks /Query /XML` returns. Windows re-serialises a registered task: it re-indents, adds
 * `<Date>`, `<Author>`, the user's SID and elements at their default values, may write `1`
 * for `true` or `PT60M` as `PT1H`, and exports UTF-16. None of that is drift; a changed
 * trigger, setting or action is.
 */
import { XMLParser } from 'fast-xml-parser';
import { isoDuration } from './render.js';
import { MONTH_NAMES } from '../../schedule/to-tasktrigger.js';

type Node = Record<string, unknown>;

/** Elements whose text is free-form: kept exactly, never trimmed or reinterpreted. */
const STRING_ELEMENTS = new Set([
  'Description',
  'Source',
  'URI',
  'Command',
  'Arguments',
  'WorkingDirectory',
  'Subscription',
  'Documentation',
  'Author',
  'UserId',
]);

/** Elements Windows adds or drops at their schema default: `parent/child` → canonical default. */
const DEFAULTS: Record<string, string> = {
  'Settings/AllowStartOnDemand': 'true',
  'Settings/MultipleInstancesPolicy': 'IgnoreNew',
  'Settings/DisallowStartIfOnBatteries': 'true',
  'Settings/StopIfGoingOnBatteries': 'true',
  'Settings/AllowHardTerminate': 'true',
  'Settings/StartWhenAvailable': 'false',
  'Settings/RunOnlyIfNetworkAvailable': 'false',
  'Settings/WakeToRun': 'false',
  'Settings/Enabled': 'true',
  'Settings/Hidden': 'false',
  'Settings/DeleteExpiredTaskAfter': 'PT0S',
  'Settings/ExecutionTimeLimit': 'P3D',
  'Settings/Priority': '7',
  'Settings/RunOnlyIfIdle': 'false',
  'Settings/UseUnifiedSchedulingEngine': 'false',
  'Settings/DisallowStartOnRemoteAppSession': 'false',
  'IdleSettings/StopOnIdleEnd': 'true',
  'IdleSettings/RestartOnIdle': 'false',
  'IdleSettings/Duration': 'PT10M',
  'IdleSettings/WaitTimeout': 'PT1H',
  'Repetition/StopAtDurationEnd': 'false',
  'Principal/RunLevel': 'LeastPrivilege',
  'Task/Data': '',
};
const TRIGGER_DEFAULTS: Record<string, string> = {
  Enabled: 'true',
  ExecutionTimeLimit: 'P3D',
  RandomDelay: 'PT0S',
  Delay: 'PT0S',
};
/** Elements Windows adds that say nothing about what runs when. */
const DROPPED = new Set(['RegistrationInfo/Date', 'RegistrationInfo/Author', 'Principal/UserId']);

/** Reading order for order-free containers (Windows' own); other containers sort by name. */
const CHILD_ORDER: Record<string, string[]> = {
  Task: ['RegistrationInfo', 'Triggers', 'Principals', 'Settings', 'Data', 'Actions'],
  RegistrationInfo: [
    'Date',
    'Author',
    'Version',
    'Description',
    'Source',
    'URI',
    'SecurityDescriptor',
    'Documentation',
  ],
  Exec: ['Command', 'Arguments', 'WorkingDirectory'],
  Repetition: ['Interval', 'Duration', 'StopAtDurationEnd'],
  DaysOfWeek: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  Months: MONTH_NAMES.slice(1),
  ScheduleByWeek: ['WeeksInterval', 'DaysOfWeek'],
  ScheduleByMonth: ['DaysOfMonth', 'Months'],
};

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

function canonicalValue(name: string, text: string): string {
  if (STRING_ELEMENTS.has(name)) return text;
  const t = text.trim();
  if (t === '1' || t === '0') {
    // Windows may write booleans as digits; Priority and DaysInterval are numbers, not booleans.
    if (
      !['Priority', 'DaysInterval', 'WeeksInterval', 'Day', 'Week', 'NumberOfOccurrences', 'Count'].includes(
        name,
      )
    )
      return t === '1' ? 'true' : 'false';
  }
  const m = DURATION.exec(t);
  if (m && t !== 'P' && !t.endsWith('T')) {
    const secs =
      Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return isoDuration(secs);
  }
  return t;
}

interface Elem {
  name: string;
  attrs: Array<[string, string]>;
  children: Elem[];
  text?: string;
}

function toElems(nodes: Node[]): Elem[] {
  const out: Elem[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (!name || name.startsWith('?') || name === '#comment' || name === '#text') continue;
    const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
    const attrs = Object.entries(rawAttrs)
      .map(([k, v]) => [k.replace(/^@_/, ''), String(v)] as [string, string])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const kids = (node[name] ?? []) as Node[];
    const elemKids = kids.filter((k) => !('#text' in k) && !('#comment' in k));
    const texts = kids.filter((k) => '#text' in k).map((k) => String(k['#text']));
    const e: Elem = { name, attrs, children: toElems(elemKids) };
    if (elemKids.length === 0) e.text = texts.join('');
    out.push(e);
  }
  return out;
}

function clean(e: Elem, parent: string, dropSource: boolean): Elem | undefined {
  const key = `${parent}/${e.name}`;
  if (DROPPED.has(key)) return undefined;
  if (dropSource && key === 'RegistrationInfo/Source') return undefined;
  const children = e.children
    .map((c) => clean(c, e.name, dropSource))
    .filter((c): c is Elem => c !== undefined);
  // Most containers are xs:all (order-free): sort by name. Triggers are xs:sequence (order is
  // part of the schema) and the trigger list keeps its order; repeated elements keep theirs.
  if (!e.name.endsWith('Trigger') && e.name !== 'Triggers') {
    const order = CHILD_ORDER[e.name] ?? [];
    const rank = (n: string): number => {
      const i = order.indexOf(n);
      return i < 0 ? order.length : i;
    };
    children.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const out: Elem = { name: e.name, attrs: e.attrs, children };
  if (e.children.length === 0) {
    out.text = canonicalValue(e.name, e.text ?? '');
    const dflt = DEFAULTS[key] ?? (parent.endsWith('Trigger') ? TRIGGER_DEFAULTS[e.name] : undefined);
    if (dflt !== undefined && out.text === canonicalValue(e.name, dflt)) return undefined;
  } else if (children.length === 0 && (e.name === 'IdleSettings' || e.name === 'Data')) {
    return undefined;
  }
  return out;
}

/**
 * Escapes text for Task XML. Line breaks and tabs become character references, so that no
 * re-serialisation (Windows', or any pretty-printer's re-indentation) can change them.
 */
export function escapeTaskText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function print(e: Elem, ind: string, lines: string[]): void {
  const attrs = e.attrs.map(([k, v]) => ` ${k}="${escapeTaskText(v).replace(/"/g, '&quot;')}"`).join('');
  if (e.children.length === 0) {
    lines.push(
      e.text
        ? `${ind}<${e.name}${attrs}>${escapeTaskText(e.text)}</${e.name}>`
        : `${ind}<${e.name}${attrs} />`,
    );
    return;
  }
  lines.push(`${ind}<${e.name}${attrs}>`);
  for (const c of e.children) print(c, ind + '  ', lines);
  lines.push(`${ind}</${e.name}>`);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  commentPropName: '#comment',
  htmlEntities: true,
});

/** Parses Task XML into ordered nodes (fast-xml-parser's preserveOrder form). */
export function parseTaskNodes(xml: string): Node[] {
  return parser.parse(xml.replace(/^\uFEFF/, '')) as Node[];
}

/** The XML declaration sched writes (the file itself is UTF-16 LE with a BOM). */
export const TASK_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-16"?>';

/**
 * A task in sched's canonical layout: the declaration plus {@link normalizeTaskXml}. sched writes
 * tasks in this layout and shows installed tasks in it, so a plan's diff shows only real changes
 * even after Windows re-serialised the task. It still validates against the schema: only
 * order-free (xs:all) containers are sorted, and only elements at their default are dropped.
 */
export function canonicalTaskXml(xml: string): string {
  return `${TASK_XML_DECLARATION}\n${normalizeTaskXml(xml)}`;
}

/**
 * Canonical text of a task: no declaration or comments, defaults and Windows-added elements
 * dropped, booleans and durations in one spelling, children of order-free elements in one order,
 * two-space indentation. `dropSource` also drops sched's ownership element (for hashing).
 */
export function normalizeTaskXml(xml: string, options: { dropSource?: boolean } = {}): string {
  const elems = toElems(parseTaskNodes(xml));
  const task = elems.find((e) => e.name === 'Task');
  if (!task) throw new Error('not a task: no <Task> element');
  const cleaned = clean(task, '', options.dropSource ?? false);
  const lines: string[] = [];
  if (cleaned) print(cleaned, '', lines);
  return lines.join('\n') + '\n';
}
