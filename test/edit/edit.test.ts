/**
 * `sched add/pause/resume/remove` edit the text in place: golden before/after files (written by
 * hand) pin that comments, blank lines, quoting and comment alignment survive, and the loader
 * guards what is written.
 */
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editSchedulesFile, editSchedulesText, type EditOp } from '../../src/services/edit.js';
import { InvalidConfigError, UserError } from '../../src/errors.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const ADD_BACKUP: EditOp = {
  kind: 'add',
  name: 'backup',
  job: {
    description: 'Back up: the data',
    schedule: '*/15 * * * *',
    command: ['tar', '-czf', '/tmp/b.tgz', 'my dir', "it's"],
    timezone: 'Europe/Berlin',
    timeout: '30m',
    overlap: 'queue',
    catchUp: true,
  },
};

/** Comment lines of a text, trimmed. */
const comments = (text: string) =>
  text
    .split('\n')
    .filter((l) => /^\s*#/.test(l))
    .map((l) => l.trim());

describe('editing a hand-written file (golden before/after)', () => {
  const before = fixture('before.yaml');
  const cases: Array<[string, EditOp, string]> = [
    ['add', ADD_BACKUP, 'after-add.yaml'],
    ['pause', { kind: 'pause', name: 'nightly-report' }, 'after-pause.yaml'],
    ['resume', { kind: 'resume', name: 'weekday-sync' }, 'after-resume.yaml'],
    ['remove', { kind: 'remove', name: 'weekday-sync' }, 'after-remove.yaml'],
  ];
  for (const [what, op, golden] of cases) {
    it(`${what} changes only the lines it must`, () => {
      const edit = editSchedulesText(before, op);
      expect(edit.reserialized).toBe(false);
      expect(edit.changed).toBe(true);
      expect(edit.text).toBe(fixture(golden));
    });
  }

  it('keeps every comment except the removed job’s own', () => {
    for (const [, op] of cases) {
      const after = comments(editSchedulesText(before, op).text);
      const expected = comments(before).filter(
        (c) =>
          op.kind !== 'remove' ||
          !['# Sync every weekday.', '# preset', '# a shell line', '# paused for the migration'].some((x) =>
            c.includes(x),
          ),
      );
      for (const c of expected) expect(after.join('\n')).toContain(c);
    }
  });

  it('the added job reads back as what was asked', () => {
    const data = parse(editSchedulesText(before, ADD_BACKUP).text) as { jobs: Record<string, unknown> };
    expect(data.jobs.backup).toEqual({
      description: 'Back up: the data',
      schedule: '*/15 * * * *',
      command: ['tar', '-czf', '/tmp/b.tgz', 'my dir', "it's"],
      timezone: 'Europe/Berlin',
      timeout: '30m',
      overlap: 'queue',
      catch_up: true,
    });
  });

  it('pause then resume gives back the original bytes', () => {
    const paused = editSchedulesText(before, { kind: 'pause', name: 'cleanup' }).text;
    expect(parse(paused).jobs.cleanup.enabled).toBe(false);
    expect(editSchedulesText(paused, { kind: 'resume', name: 'cleanup' }).text).toBe(before);
  });

  it('pausing a paused job and resuming a running one change nothing', () => {
    const a = editSchedulesText(before, { kind: 'pause', name: 'weekday-sync' });
    expect(a.changed).toBe(false);
    expect(a.note).toMatch(/already paused/);
    const b = editSchedulesText(before, { kind: 'resume', name: 'nightly-report' });
    expect(b.changed).toBe(false);
    expect(b.note).toMatch(/not paused/);
  });

  it('pause turns an explicit enabled: true into false in place', () => {
    const text = before.replace('    overlap: skip\n', '    overlap: skip\n    enabled: true   # on\n');
    expect(editSchedulesText(text, { kind: 'pause', name: 'nightly-report' }).text).toBe(
      before.replace('    overlap: skip\n', '    overlap: skip\n    enabled: false   # on\n'),
    );
  });
});

describe('a compact file: 4-space indentation, double quotes, no blank lines', () => {
  const before = fixture('compact-before.yaml');
  it('add uses the file’s indentation and quotes; one argument with spaces stays one argv element', () => {
    const edit = editSchedulesText(before, {
      kind: 'add',
      name: 'gamma',
      job: { schedule: 'day', command: ['echo hello world'] },
    });
    expect(edit.text).toBe(fixture('compact-after-add.yaml'));
  });
  it('remove the last job', () => {
    expect(editSchedulesText(before, { kind: 'remove', name: 'beta' }).text).toBe(
      fixture('compact-after-remove.yaml'),
    );
  });
  it('resume', () => {
    expect(editSchedulesText(before, { kind: 'resume', name: 'beta' }).text).toBe(
      fixture('compact-after-resume.yaml'),
    );
  });
});

describe('flow-style jobs map: falls back to the Document API', () => {
  it('still means the right thing and keeps the comment', () => {
    const text = '# top\nversion: 1\njobs: {a: {schedule: day, command: [x]}}\n';
    const edit = editSchedulesText(text, {
      kind: 'add',
      name: 'b',
      job: { schedule: 'hour', command: ['y'] },
    });
    expect(edit.reserialized).toBe(true);
    expect(edit.text).toContain('# top');
    expect(parse(edit.text).jobs).toEqual({
      a: { schedule: 'day', command: ['x'] },
      b: { schedule: 'hour', command: ['y'] },
    });
  });
});

describe('errors are UserErrors with hints', () => {
  const before = fixture('before.yaml');
  it.each([
    [{ kind: 'add', name: 'cleanup', job: { schedule: 'day', command: ['x'] } }, /already exists/],
    [{ kind: 'add', name: 'Bad_Name', job: { schedule: 'day', command: ['x'] } }, /not a valid job name/],
    [{ kind: 'add', name: '../etc', job: { schedule: 'day', command: ['x'] } }, /not a valid job name/],
    [{ kind: 'remove', name: 'cleanpu' }, /no job 'cleanpu'/],
    [{ kind: 'pause', name: 'nope' }, /no job 'nope'/],
    [{ kind: 'resume', name: 'nope' }, /no job 'nope'/],
  ] as Array<[EditOp, RegExp]>)('%o', (op, message) => {
    let err: unknown;
    try {
      editSchedulesText(before, op);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(message);
    expect((err as UserError).hint).toBeTruthy();
  });
  it('suggests the closest name for a typo', () => {
    try {
      editSchedulesText(before, { kind: 'remove', name: 'cleanpu' });
    } catch (e) {
      expect((e as UserError).hint).toMatch(/did you mean 'cleanup'/);
    }
    expect.assertions(1);
  });
});

describe('editSchedulesFile', () => {
  function setup(text: string): { dir: string; file: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'sched-edit-'));
    const file = path.join(dir, 'schedules.yaml');
    writeFileSync(file, text);
    chmodSync(file, 0o640);
    return { dir, file };
  }

  it('writes a valid result atomically, keeps the mode, leaves no temp file', async () => {
    const { dir, file } = setup(fixture('before.yaml'));
    const r = await editSchedulesFile(file, ADD_BACKUP);
    expect(r.changed).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(fixture('after-add.yaml'));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['schedules.yaml']);
  });

  it('writes nothing when the result does not validate, and says why with a location', async () => {
    const { dir, file } = setup(fixture('before.yaml'));
    const op: EditOp = {
      kind: 'add',
      name: 'bad',
      job: { schedule: '61 * * * *', command: ['x'], timezone: 'Mars/Base' },
    };
    const err = await editSchedulesFile(file, op).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidConfigError);
    const errors = (err as InvalidConfigError).diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code).sort()).toEqual(['bad-schedule', 'unknown-timezone']);
    expect(errors.every((d) => d.line > 30)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(fixture('before.yaml'));
    expect(readdirSync(dir)).toEqual(['schedules.yaml']);
  });

  it('a missing file is a UserError pointing at sched init', async () => {
    const err = await editSchedulesFile('/nonexistent/schedules.yaml', { kind: 'pause', name: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).hint).toMatch(/sched init/);
  });
});

describe('the first job of an empty jobs map', () => {
  const op: EditOp = { kind: 'add', name: 'first', job: { schedule: '0 2 * * *', command: ['run', 'it'] } };
  const added = '  first:\n    schedule: "0 2 * * *"\n    command: ["run", "it"]\n';
  it.each([
    [
      'jobs: with no value',
      '# head\nversion: 1\njobs:\n# tail\n',
      `# head\nversion: 1\njobs:\n${added}# tail\n`,
    ],
    [
      'jobs: {} with a comment',
      'version: 1\njobs: {}   # none yet\n',
      `version: 1\njobs: # none yet\n${added}`,
    ],
    ['jobs: {} at the end without a newline', 'version: 1\njobs: {}', `version: 1\njobs:\n${added}`],
    [
      'jobs: with no value and a comment: the key line kept byte for byte',
      'version: 1\njobs:   # none yet\n',
      `version: 1\njobs:   # none yet\n${added}`,
    ],
  ])('%s', (_name, before, after) => {
    const edit = editSchedulesText(before, op);
    expect(edit.reserialized).toBe(false);
    expect(edit.text).toBe(after);
  });
  it('no jobs key at all: re-serialised, still right', () => {
    const edit = editSchedulesText('version: 1 # v\n', op);
    expect(parse(edit.text)).toEqual({
      version: 1,
      jobs: { first: { schedule: '0 2 * * *', command: ['run', 'it'] } },
    });
    expect(edit.text).toContain('# v');
  });
});

describe('a CRLF file', () => {
  it('keeps CRLF line endings in every edit', () => {
    const before = fixture('before.yaml').replace(/\n/g, '\r\n');
    for (const [op, golden] of [
      [ADD_BACKUP, 'after-add.yaml'],
      [{ kind: 'pause', name: 'nightly-report' }, 'after-pause.yaml'],
      [{ kind: 'resume', name: 'weekday-sync' }, 'after-resume.yaml'],
      [{ kind: 'remove', name: 'weekday-sync' }, 'after-remove.yaml'],
    ] as Array<[EditOp, string]>) {
      expect(editSchedulesText(before, op).text).toBe(fixture(golden).replace(/\n/g, '\r\n'));
    }
  });
});
