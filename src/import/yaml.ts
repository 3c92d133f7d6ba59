/**
 * Appends proposed jobs to a schedules.yaml text with the yaml Document API, so the file's
 * comments, blank lines, key order and scalar styles are kept; each new job carries its notes
 * (where it came from, what changed) as comments above it.
 */
import { Document, isMap, isScalar, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { appendJobsText, type AppendJobsOptions, type Unsupported } from '../edit/yaml-text.js';
import { UserError } from '../errors.js';
import type { JobProposal } from './types.js';

/** The YAML value of one proposal (key order as people write it). */
export function proposalValue(p: JobProposal): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  if (p.description !== undefined) v.description = p.description;
  v.schedule = p.schedule;
  v.command = p.command;
  if (p.working_dir !== undefined) v.working_dir = p.working_dir;
  if (p.env && Object.keys(p.env).length) v.env = p.env;
  if (p.env_file !== undefined) v.env_file = p.env_file;
  if (p.timezone !== undefined) v.timezone = p.timezone;
  if (p.catch_up !== undefined) v.catch_up = p.catch_up;
  return v;
}

/** Comment text for yaml: one leading blank per line, so it prints as `# text`. */
function commentText(lines: readonly string[]): string {
  // eslint-disable-next-line no-control-regex
  return lines.map((l) => ` ${l.replace(/[\u0000-\u001f\u007f]/g, ' ')}`).join('\n');
}

/** The file's job names (empty when there is no file or no `jobs:`). */
export function existingJobNames(source: string | undefined): Set<string> {
  if (!source) return new Set();
  const doc = parseDocument(source);
  const jobs = doc.get('jobs', true);
  const names = new Set<string>();
  if (isMap(jobs)) for (const pair of jobs.items) if (isScalar(pair.key)) names.add(String(pair.key.value));
  return names;
}

/** `defaults.timezone` of the file, when it sets one. */
export function defaultTimezone(source: string | undefined): string | undefined {
  if (!source) return undefined;
  const value = parseDocument(source).getIn(['defaults', 'timezone']);
  return typeof value === 'string' ? value : undefined;
}

/** The new jobs as a YAML block (keys at column 0), comments above each. */
export function renderJobsBlock(proposals: readonly JobProposal[]): string {
  const doc = new Document();
  const map = new YAMLMap();
  proposals.forEach((p, i) => {
    const key = new Scalar(p.name);
    key.commentBefore = commentText(p.notes);
    key.spaceBefore = i > 0;
    const value = doc.createNode(proposalValue(p)) as YAMLMap;
    const command = value.get('command', true);
    if (command instanceof YAMLSeq) command.flow = true;
    map.add(doc.createPair(key, value));
  });
  doc.contents = map;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function indent(block: string, by: number): string {
  const pad = ' '.repeat(by);
  return block
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n');
}

/** How `sched import --write` places its jobs (see {@link AppendJobsOptions}). */
const IMPORT_LAYOUT: AppendJobsOptions = {
  blankLineBefore: 'always',
  afterTrailingComments: false,
  explicitNullJobs: 'unsupported',
  missingJobsKey: 'append',
};

/** What import says about a layout it will not splice (after "schedules.yaml"). */
const REFUSALS: Record<Unsupported, string> = {
  'no-jobs-key': "has no 'jobs:'",
  'top-level-not-mapping': 'is not a mapping at the top level',
  'top-level-flow': 'is a flow mapping ({…}) at the top level',
  'jobs-not-mapping': "has a 'jobs:' that is not a mapping",
  'jobs-flow': "writes 'jobs:' as a flow mapping ({…}); write it as a block mapping",
  'jobs-nested': "has an indented top-level mapping (write 'jobs:' at column 0)",
  'no-ranges': 'has a layout import cannot append to without changing it',
};

function refuse(what: string): never {
  throw new UserError(
    `schedules.yaml ${what}, so import will not edit it`,
    "Fix it first ('sched validate' shows where), then import again.",
  );
}

/**
 * The text of schedules.yaml with `proposals` appended under `jobs:` (created when missing; a
 * new file gets `version: 1`). Every byte of the existing text is kept: the new jobs are
 * rendered with the Document API and inserted after the last job (or after `jobs:`), at the
 * indentation the file uses. Throws a UserError when the text does not parse, `jobs:` is not a
 * block mapping, or a name is already taken.
 */
export function appendJobs(source: string | undefined, proposals: readonly JobProposal[]): string {
  if (proposals.length === 0) return source ?? '';
  let text = source && source.trim() !== '' ? source : 'version: 1\n';
  if (!text.endsWith('\n')) text += '\n';
  const doc = parseDocument(text);
  if (doc.errors.length) refuse(`does not parse (${doc.errors[0]!.message.split('\n')[0]})`);
  if (!isMap(doc.contents)) refuse('is not a mapping at the top level');
  const top = doc.contents as YAMLMap;
  for (const p of proposals)
    if (doc.hasIn(['jobs', p.name]))
      throw new UserError(`schedules.yaml already has a job named '${p.name}'`);
  const block = renderJobsBlock(proposals);
  const appended = appendJobsText(text, doc, (layout) => indent(block, layout.indent), IMPORT_LAYOUT);
  if ('unsupported' in appended) refuse(REFUSALS[appended.unsupported]);
  // Appending after existing jobs is where an odd layout could change their meaning: check it.
  const jobs: unknown = top.get('jobs', true);
  if (isMap(jobs) && jobs.items.length > 0) checkKept(doc.toJS() as unknown, appended.text, proposals);
  return appended.text;
}

/** The result must hold every old value unchanged plus the new jobs (guards odd layouts). */
function checkKept(before: unknown, result: string, proposals: readonly JobProposal[]): void {
  const after = parseDocument(result);
  const got = after.toJS() as Record<string, unknown> | null;
  const jobs = { ...((got?.jobs as Record<string, unknown>) ?? {}) };
  for (const p of proposals) delete jobs[p.name];
  const expected = JSON.stringify(before);
  const actual = JSON.stringify({ ...got, jobs });
  if (after.errors.length || expected !== actual || proposals.some((p) => !after.hasIn(['jobs', p.name]))) {
    refuse('has a layout import cannot append to without changing it (e.g. a kept trailing block scalar)');
  }
}
