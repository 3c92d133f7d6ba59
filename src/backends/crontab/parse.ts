/**
 * Pure reading and rewriting of a whole crontab text around one project's block:
 *
 * ```
 * …foreign lines, kept byte for byte…
 * # BEGIN sched <project>
 * …entries (see render.ts)…
 * # END sched <project>
 * …foreign lines…
 * ```
 *
 * The block is found by its markers only. Anything unbalanced (BEGIN without END, END without
 * BEGIN, two BEGINs, a block inside another sched block or with another project's marker inside
 * it) is a {@link CrontabMarkerError}: sched never guesses which lines are its own.
 */
import { BugError, UserError } from '../../errors.js';
import type { ArtifactChange, InstalledArtifact } from '../types.js';
import { contentHash, formatOwnership, parseOwnership } from '../header.js';
import { CRONTAB_KIND, MARKER_PATTERN, beginMarker, endMarker, entryId } from './render.js';

/**
 * Id of the pseudo-artifact that holds the lines of a block that has no entry at all (only lines
 * added by hand between the markers). Its recordedHash is the hash of an empty body (sched wrote
 * nothing there), so the plan sees it as sched's and, since no job renders it, deletes it: apply
 * removes those lines (and the block, when nothing else is left).
 */
export const STRAY_ID = 'crontab:@stray';

/**
 * The markers of a project's block are unbalanced, or another project's marker lines would put
 * the block somewhere sched could not read it back; the crontab must be fixed by hand.
 */
export class CrontabMarkerError extends UserError {
  constructor(
    readonly project: string,
    problem: string,
    hint?: string,
    /** `problem` is the whole message (not a kind of imbalance). */
    whole = false,
  ) {
    super(
      whole ? problem : `the crontab's sched block for project '${project}' is unbalanced: ${problem}`,
      hint ??
        `Fix it by hand with 'crontab -e': exactly one '${beginMarker(project)}' line, then exactly one ` +
          `'${endMarker(project)}' line, with no other sched markers between them. sched will not guess which lines are its own.`,
    );
    this.name = 'CrontabMarkerError';
  }
}

/** How to get out of another project's BEGIN line that has no END after it. */
function openBlockHint(other: string): string {
  return (
    `If '${beginMarker(other)}' is the start of a sched block of project '${other}', add its ` +
    `'${endMarker(other)}' line after that block's entries with 'crontab -e'; if it is a comment of ` +
    `your own, reword it so it does not read as a sched marker (e.g. '# begin: sched ${other}'). Then run sched again.`
  );
}

/**
 * Another project's block that is open at the end of `lines` (its last marker is a BEGIN), if
 * any: a block appended there would be read as part of it.
 */
function openForeignBegin(lines: readonly string[], project: string): Marker | undefined {
  const lastOf = new Map<string, Marker>();
  for (const m of markersOf(lines)) if (m.project !== project) lastOf.set(m.project, m);
  return [...lastOf.values()].find((m) => m.kind === 'BEGIN');
}

/** A crontab split around one project's block: `before + (block ?? '') + after === text`. */
export interface CrontabSplit {
  before: string;
  /** From the BEGIN line to the END line, with the END line's newline when it has one. */
  block?: string;
  after: string;
}

/**
 * `text` as Debian's `crontab -l` lists it: a carriage return as the two characters `\r`, a
 * backspace as `\b` (nothing else is escaped). A listing with either sequence is ambiguous.
 */
export function crontabListing(text: string): string {
  // eslint-disable-next-line no-control-regex -- CR and BS are exactly what crontab -l escapes
  return text.replace(/[\x08\x0d]/g, (c) => (c === '\r' ? '\\r' : '\\b'));
}

/** Lines with their terminators; only the last one may lack `\n`. Joined, they are the text. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const j = text.indexOf('\n', i);
    if (j < 0) {
      out.push(text.slice(i));
      break;
    }
    out.push(text.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

function stripEol(line: string): string {
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}

interface Marker {
  kind: 'BEGIN' | 'END';
  project: string;
  line: number;
}

function markersOf(lines: readonly string[]): Marker[] {
  const out: Marker[] = [];
  lines.forEach((l, i) => {
    const m = MARKER_PATTERN.exec(stripEol(l));
    if (m) out.push({ kind: m[1] as 'BEGIN' | 'END', project: m[2]!, line: i });
  });
  return out;
}

/** Splits `text` around `project`'s block. Throws CrontabMarkerError when it is unbalanced. */
export function splitCrontab(text: string, project: string): CrontabSplit {
  const lines = splitLines(text);
  const markers = markersOf(lines);
  const mine = markers.filter((m) => m.project === project);
  if (mine.length === 0) return { before: text, after: '' };
  const at = (m: Marker): string => `line ${m.line + 1}`;
  const begins = mine.filter((m) => m.kind === 'BEGIN');
  const ends = mine.filter((m) => m.kind === 'END');
  if (begins.length === 0)
    throw new CrontabMarkerError(project, `END without BEGIN (${ends.map(at).join(', ')})`);
  if (ends.length === 0)
    throw new CrontabMarkerError(project, `BEGIN without END (${begins.map(at).join(', ')})`);
  if (begins.length > 1)
    throw new CrontabMarkerError(project, `${begins.length} BEGIN lines (${begins.map(at).join(', ')})`);
  if (ends.length > 1)
    throw new CrontabMarkerError(project, `${ends.length} END lines (${ends.map(at).join(', ')})`);
  const begin = begins[0]!;
  const end = ends[0]!;
  if (end.line < begin.line)
    throw new CrontabMarkerError(project, `END (${at(end)}) comes before BEGIN (${at(begin)})`);
  const inside = markers.find((m) => m.line > begin.line && m.line < end.line);
  if (inside) {
    throw new CrontabMarkerError(
      project,
      `${inside.kind} of project '${inside.project}' at ${at(inside)} is inside the block`,
    );
  }
  // Inside another project's block: that project's last marker before our BEGIN is a BEGIN.
  const lastOf = new Map<string, Marker>();
  for (const m of markers) if (m.line < begin.line) lastOf.set(m.project, m);
  for (const m of lastOf.values()) {
    if (m.kind === 'BEGIN') {
      throw new CrontabMarkerError(
        project,
        `the block (${at(begin)}) is inside the block of project '${m.project}' that begins at ${at(m)}`,
        openBlockHint(m.project),
      );
    }
  }
  return {
    before: lines.slice(0, begin.line).join(''),
    block: lines.slice(begin.line, end.line + 1).join(''),
    after: lines.slice(end.line + 1).join(''),
  };
}

const HEADER_PREFIX = /^#[ \t]*sched-managed /;

/** The ownership of a header line (without newline), when it is exactly one. */
function headerOf(line: string): { project: string; job: string; hash: string } | undefined {
  if (!HEADER_PREFIX.test(line)) return undefined;
  const o = parseOwnership(line);
  if (!o) return undefined;
  return line.trimEnd() === `# ${formatOwnership(o)}` ? o : undefined;
}

/**
 * The entries of a block (as returned by splitCrontab) as installed artifacts, in block order.
 * Each entry is a header line plus every following line up to the next header of another job;
 * recordedHash comes from the header, actualHash is the hash of the lines as they are now, so any
 * hand edit (a changed, added or deleted line) shows as drift ("edited by hand") and apply
 * rewrites the entry as rendered.
 *
 * Lines added by hand inside the block are included in an entry's content so that the repair
 * removes them: after a header they belong to that entry (a duplicate header of the same job, or
 * a header of another project, counts as such a line); before the first header they are put in
 * front of the first entry (its content then starts with them, and its actualHash covers them).
 * A block with hand-added lines but no entry at all yields the {@link STRAY_ID} pseudo-artifact.
 * `registered` is always true: an entry in the crontab is live.
 */
export function parseBlock(block: string, project: string): InstalledArtifact[] {
  const lines = splitLines(block).slice(1, -1); // drop BEGIN and END
  const leading: string[] = [];
  const sections: { id: string; job: string; hash: string; header: string; body: string[] }[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const o = headerOf(stripEol(line));
    if (o && o.project === project && !seen.has(entryId(o.job))) {
      seen.add(entryId(o.job));
      sections.push({ id: entryId(o.job), job: o.job, hash: o.hash, header: line, body: [] });
    } else {
      (sections.at(-1)?.body ?? leading).push(line);
    }
  }
  const stray = leading.join('');
  if (sections.length === 0) {
    if (stray === '') return [];
    return [
      {
        id: STRAY_ID,
        job: '',
        kind: CRONTAB_KIND,
        content: stray,
        recordedHash: contentHash(''),
        actualHash: contentHash(stray),
        registered: true,
      },
    ];
  }
  return sections.map((sec, i) => {
    const prefix = i === 0 ? stray : '';
    const body = sec.body.join('');
    return {
      id: sec.id,
      job: sec.job,
      kind: CRONTAB_KIND,
      content: prefix + sec.header + body,
      recordedHash: sec.hash,
      actualHash: contentHash(prefix + body),
      registered: true,
    };
  });
}

/**
 * How the text of sched's block is stored in the string a function is given. `TEXT`: it is
 * ordinary text. `BYTES`: the string holds bytes, one character per byte (latin1), the way the
 * adapter reads the crontab so that foreign bytes that are not UTF-8 survive; sched's block is
 * UTF-8 inside it. Marker lines and newlines are ASCII, so splitting works the same on both.
 */
interface BlockCodec {
  decode(stored: string): string;
  encode(text: string): string;
}
const TEXT: BlockCodec = { decode: (s) => s, encode: (s) => s };
const BYTES: BlockCodec = {
  decode: (s) => Buffer.from(s, 'latin1').toString('utf8'),
  encode: (s) => Buffer.from(s, 'utf8').toString('latin1'),
};

/** Everything `project` owns in a crontab text. Throws CrontabMarkerError when unbalanced. */
export function parseCrontab(text: string, project: string): InstalledArtifact[] {
  return parseWith(text, project, TEXT);
}

/** {@link parseCrontab} of a crontab held as a byte string (latin1: one character per byte). */
export function parseCrontabBytes(bytes: string, project: string): InstalledArtifact[] {
  return parseWith(bytes, project, BYTES);
}

function parseWith(text: string, project: string, codec: BlockCodec): InstalledArtifact[] {
  const { block } = splitCrontab(text, project);
  return block === undefined ? [] : parseBlock(codec.decode(block), project);
}

/**
 * Can crontab install a text whose last line is `line`, without a newline after it? Debian's
 * crontab refuses "missing newline before EOF" unless that line is blank or a comment.
 */
function mayEndWithoutNewline(text: string): boolean {
  const lastLine = text.slice(text.lastIndexOf('\n') + 1);
  return /^[ \t]*(#[^\n]*)?$/.test(lastLine);
}

/** Block order: project-wide entries (`@…` ids) first, then jobs by id. Stable across applies. */
function compareIds(a: string, b: string): number {
  const pa = a.startsWith('crontab:@') ? 0 : 1;
  const pb = b.startsWith('crontab:@') ? 0 : 1;
  if (pa !== pb) return pa - pb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The crontab text after applying `changes` to `project`'s block. Every byte outside the block
 * is kept. Entries not named in `changes` keep their current text (hand edits included: the plan
 * decides what to repair). Idempotent: create/update of a present entry replaces it, delete of
 * an absent one does nothing.
 *
 * - No entries left: the block and its markers are removed, nothing else. When sched appended
 *   the block to a text that lacked a final newline, the END line was written without one too,
 *   and removing the block removes the newline sched added before it.
 * - No block yet: it is appended at the end, after a newline when the text lacks a final one
 *   (and then, to give the missing newline back on removal, without a newline after END; a
 *   comment as the last line is fine for crontab).
 *
 * Throws CrontabMarkerError when the block is unbalanced (nothing is computed, nothing written).
 */
export function applyChanges(text: string, project: string, changes: readonly ArtifactChange[]): string {
  return applyWith(text, project, changes, TEXT);
}

/**
 * {@link applyChanges} on a crontab held as a byte string (latin1: one character per byte):
 * every byte outside the block is kept as it is, whatever it is; the block is written as UTF-8.
 */
export function applyChangesToBytes(
  bytes: string,
  project: string,
  changes: readonly ArtifactChange[],
): string {
  return applyWith(bytes, project, changes, BYTES);
}

function applyWith(
  text: string,
  project: string,
  changes: readonly ArtifactChange[],
  codec: BlockCodec,
): string {
  const next = computeNext(text, project, changes, codec);
  // Never write a crontab sched could not read back (and so could not undo).
  try {
    splitCrontab(next, project);
  } catch (e) {
    if (!(e instanceof CrontabMarkerError)) throw e;
    throw new CrontabMarkerError(
      project,
      `sched will not write a crontab it could not read back (${e.message}); nothing was written`,
      e.hint,
      true,
    );
  }
  return next;
}

function computeNext(
  text: string,
  project: string,
  changes: readonly ArtifactChange[],
  codec: BlockCodec,
): string {
  const split = splitCrontab(text, project);
  const entries = new Map<string, string>();
  if (split.block !== undefined)
    for (const a of parseBlock(codec.decode(split.block), project)) entries.set(a.id, a.content);
  for (const c of changes) {
    if (c.action === 'delete') {
      entries.delete(c.id);
      continue;
    }
    if (!c.after) throw new BugError(`crontab: ${c.action} of ${c.id} without the artifact to write`);
    if (c.after.id !== c.id) throw new BugError(`crontab: change ${c.id} carries artifact ${c.after.id}`);
    if (c.after.content.split('\n').some((l) => MARKER_PATTERN.test(l))) {
      throw new BugError(`crontab: artifact ${c.id} contains a block marker`);
    }
    const content = c.after.content.endsWith('\n') ? c.after.content : `${c.after.content}\n`;
    entries.set(c.id, content);
  }

  if (entries.size === 0) {
    if (split.block === undefined) return text;
    let before = split.before;
    // Give back the newline sched added, unless crontab would then refuse the text (its last
    // line an entry without newline): a crontab sched wrote must always be one it can undo.
    if (
      split.after === '' &&
      !split.block.endsWith('\n') &&
      before.endsWith('\n') &&
      mayEndWithoutNewline(before.slice(0, -1))
    )
      before = before.slice(0, -1);
    return before + split.after;
  }

  const body = [...entries.keys()]
    .sort(compareIds)
    .map((id) => entries.get(id)!)
    .join('');
  const block = (final: boolean): string =>
    codec.encode(`${beginMarker(project)}\n${body}${endMarker(project)}${final ? '\n' : ''}`);

  if (split.block !== undefined) return split.before + block(split.block.endsWith('\n')) + split.after;
  const open = openForeignBegin(splitLines(text), project);
  if (open) {
    throw new CrontabMarkerError(
      project,
      `cannot add the sched block of project '${project}' to the crontab: line ${open.line + 1} ` +
        `('${beginMarker(open.project)}') opens a block of project '${open.project}' that no ` +
        `'${endMarker(open.project)}' line closes, so a block added after it would be read as part of it; nothing was written`,
      openBlockHint(open.project),
      true,
    );
  }
  if (text === '' || text.endsWith('\n')) return text + block(true);
  return `${text}\n${block(false)}`;
}
