import { describe, expect, it } from 'vitest';
import { parseDocument, type Pair, type YAMLMap } from 'yaml';
import {
  appendJobsText,
  appendToBlockMap,
  deleteKeyText,
  removeJobText,
  setKeyText,
  type AppendJobsOptions,
  type JobLayout,
} from '../../src/edit/yaml-text.js';

/** The options `sched add` passes. */
const EDIT: AppendJobsOptions = {
  blankLineBefore: 'when-spaced',
  afterTrailingComments: true,
  explicitNullJobs: 'fill',
  missingJobsKey: 'unsupported',
};
/** The options `sched import --write` passes. */
const IMPORT: AppendJobsOptions = {
  blankLineBefore: 'always',
  afterTrailingComments: false,
  explicitNullJobs: 'unsupported',
  missingJobsKey: 'append',
};

/** A renderer that writes the layout it was given into the job, so the table shows it. */
const render = (layout: JobLayout): string =>
  `${' '.repeat(layout.indent)}new:\n${' '.repeat(layout.indent)}${layout.step}command: x\n`;

const append = (source: string, options: AppendJobsOptions) =>
  appendJobsText(source, parseDocument(source, { uniqueKeys: false }), render, options);

const TWO_SPACED = 'jobs:\n  a:\n    command: a\n\n  b:\n    command: b\n    # about b\n# tail\n';
const FOUR = 'version: 1\njobs:\n    a:\n        command: a\n    b:\n        command: b\n';

describe('appendJobsText: input file + options → output', () => {
  it.each<[string, string, AppendJobsOptions, string]>([
    // Existing block jobs: the file's column and step, options decide the blank line and trailing comments.
    [
      'spaced jobs, edit: blank line kept, comment under b stays with b',
      TWO_SPACED,
      EDIT,
      'jobs:\n  a:\n    command: a\n\n  b:\n    command: b\n    # about b\n\n  new:\n    command: x\n# tail\n',
    ],
    [
      'spaced jobs, import: new job right after b, before its comment',
      TWO_SPACED,
      IMPORT,
      'jobs:\n  a:\n    command: a\n\n  b:\n    command: b\n\n  new:\n    command: x\n    # about b\n# tail\n',
    ],
    [
      'unspaced four-space jobs, edit: no blank line, four-space step',
      FOUR,
      EDIT,
      `${FOUR}    new:\n        command: x\n`,
    ],
    [
      'unspaced four-space jobs, import: always a blank line',
      FOUR,
      IMPORT,
      `${FOUR}\n    new:\n        command: x\n`,
    ],
    [
      'last job without a final newline',
      'jobs:\n  a:\n    command: a',
      EDIT,
      'jobs:\n  a:\n    command: a\n  new:\n    command: x\n',
    ],
    // An empty `jobs:`: the same for both callers.
    [
      'jobs: with nothing, a comment on the key line kept as is',
      'jobs:   # none\nx: 1\n',
      EDIT,
      'jobs:   # none\n  new:\n    command: x\nx: 1\n',
    ],
    [
      'jobs: {} with a comment: braces dropped',
      'jobs: {}   # none\n',
      IMPORT,
      'jobs: # none\n  new:\n    command: x\n',
    ],
    [
      'jobs: {} at the end, no newline',
      'version: 1\njobs: {}',
      EDIT,
      'version: 1\njobs:\n  new:\n    command: x\n',
    ],
    ['jobs: ~ filled by edit', 'jobs: ~\n', EDIT, 'jobs:\n  new:\n    command: x\n'],
    // No `jobs:` key: import appends one.
    ['no jobs key, import', 'version: 1\n', IMPORT, 'version: 1\njobs:\n  new:\n    command: x\n'],
    [
      'no jobs key, import, no final newline',
      'version: 1',
      IMPORT,
      'version: 1\njobs:\n  new:\n    command: x\n',
    ],
  ])('%s', (_name, source, options, expected) => {
    expect(append(source, options)).toEqual({ text: expected });
  });

  it.each<[string, string, AppendJobsOptions, string]>([
    ['no jobs key, edit (it re-serialises instead)', 'version: 1\n', EDIT, 'no-jobs-key'],
    ['jobs: ~, import', 'jobs: ~\n', IMPORT, 'jobs-not-mapping'],
    ['jobs: null, import', 'jobs: null\n', IMPORT, 'jobs-not-mapping'],
    ['jobs is a list', 'jobs: [a]\n', EDIT, 'jobs-not-mapping'],
    ['jobs is a flow map with jobs', 'jobs: {a: {command: a}}\n', IMPORT, 'jobs-flow'],
    ['the top level is a flow map', '{version: 1}\n', IMPORT, 'top-level-flow'],
    ['the top level is a flow map with an empty jobs', '{version: 1, jobs: {}}\n', EDIT, 'top-level-flow'],
    ['the top level is a list', '- a\n', IMPORT, 'top-level-not-mapping'],
    ['an indented top level', '  version: 1\n  jobs:\n', EDIT, 'jobs-nested'],
  ])('refuses to splice: %s', (_name, source, options, reason) => {
    expect(append(source, options)).toEqual({ unsupported: reason });
  });
});

describe('appendToBlockMap', () => {
  const source = 'job:\n  a: 1\n  # about a\nnext: 2\n';
  const map = () => parseDocument(source).get('job', true) as Parameters<typeof appendToBlockMap>[1];
  it('goes after the comment lines indented under the last pair, or right after it', () => {
    expect(appendToBlockMap(source, map(), 2, '  b: 2\n')).toBe(
      'job:\n  a: 1\n  # about a\n  b: 2\nnext: 2\n',
    );
    expect(appendToBlockMap(source, map(), 2, '  b: 2\n', false)).toBe(
      'job:\n  a: 1\n  b: 2\n  # about a\nnext: 2\n',
    );
  });
});

const JOBS = `jobs:
  # about a
  a:
    command: a
    # under a

  # about b
  b: {command: b}   # flow
  c:
    command: c
    enabled: true   # on
`;
const jobsOf = (source: string) => parseDocument(source).get('jobs', true) as YAMLMap;
const jobOf = (source: string, name: string) => jobsOf(source).get(name, true) as unknown as YAMLMap;
const pairOf = (source: string, name: string) =>
  jobsOf(source).items.find((p) => String((p.key as { value: unknown }).value) === name) as Pair;

describe('removeJobText: input file + job → output', () => {
  it.each<[string, string, string, string | undefined]>([
    [
      'the comments above and under it go; the blank line after it stays',
      JOBS,
      'a',
      'jobs:\n\n  # about b\n  b: {command: b}   # flow\n  c:\n    command: c\n    enabled: true   # on\n',
    ],
    [
      'a flow job with its comment line',
      JOBS,
      'b',
      'jobs:\n  # about a\n  a:\n    command: a\n    # under a\n\n  c:\n    command: c\n    enabled: true   # on\n',
    ],
    [
      'no blank line doubles up where the job was',
      'jobs:\n  a:\n    command: a\n\n  b:\n    command: b\n\n  c:\n    command: c\n',
      'b',
      'jobs:\n  a:\n    command: a\n\n  c:\n    command: c\n',
    ],
    ['the only job: not spliced', 'jobs:\n  a:\n    command: a\n', 'a', undefined],
    ['flow jobs: not spliced', 'jobs: {a: {command: a}, b: {command: b}}\n', 'a', undefined],
  ])('%s', (_name, source, job, expected) => {
    expect(removeJobText(source, jobsOf(source), pairOf(source, job))).toBe(expected);
  });
});

describe('setKeyText and deleteKeyText: input file + key → output', () => {
  it.each<[string, string, string, string, string | undefined]>([
    [
      'replaces a value in place, keeping its comment',
      JOBS,
      'c',
      'false',
      JOBS.replace('true   # on', 'false   # on'),
    ],
    [
      'adds the key after the last line and the comments under it',
      JOBS,
      'a',
      'false',
      JOBS.replace('    # under a\n', '    # under a\n    enabled: false\n'),
    ],
    ['a flow job without the key: not spliced', JOBS, 'b', 'false', undefined],
  ])('set: %s', (_name, source, job, value, expected) => {
    expect(setKeyText(source, jobOf(source, job), 'enabled', value)).toBe(expected);
  });

  it.each<[string, string, string, string | undefined]>([
    ['drops the line with its comment', JOBS, 'c', JOBS.replace('    enabled: true   # on\n', '')],
    ['absent key: nothing to splice', JOBS, 'a', undefined],
    ['flow job: not spliced', 'jobs:\n  a: {command: a, enabled: false}\n', 'a', undefined],
  ])('delete: %s', (_name, source, job, expected) => {
    expect(deleteKeyText(source, jobOf(source, job), 'enabled')).toBe(expected);
  });
});
