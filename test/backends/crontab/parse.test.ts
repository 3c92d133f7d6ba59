import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import type { Artifact, ArtifactChange } from '../../../src/backends/types.js';
import { contentHash } from '../../../src/backends/header.js';
import {
  CrontabMarkerError,
  STRAY_ID,
  applyChanges,
  applyChangesToBytes,
  parseCrontab,
  parseCrontabBytes,
  splitCrontab,
} from '../../../src/backends/crontab/parse.js';
import {
  MARKER_PATTERN,
  entryArtifact,
  renderJob,
  renderProjectEntries,
} from '../../../src/backends/crontab/render.js';
import { ctx, job } from './fixtures.js';

const create = (a: Artifact): ArtifactChange => ({
  action: 'create',
  id: a.id,
  job: a.job,
  kind: a.kind,
  after: a,
});
const update = (a: Artifact): ArtifactChange => ({
  action: 'update',
  id: a.id,
  job: a.job,
  kind: a.kind,
  after: a,
});
const del = (id: string): ArtifactChange => ({
  action: 'delete',
  id,
  job: id.slice('crontab:'.length),
  kind: 'crontab entry',
});

const A = renderJob(job('alpha'), ctx)[0]!;
const B = renderJob(job('beta', { description: 'the beta job' }), ctx)[0]!;
const A2 = renderJob(job('alpha', { schedule: { kind: 'cron', expr: '*/5 * * * *', source: '' } }), ctx)[0]!;

const FOREIGN =
  'MAILTO=""\nSHELL=/bin/bash\n\n# my jobs\t \n0 1 * * * echo 50\\% done%stdin\n\t\n# BEGIN sched other\n# sched-managed project=other job=x hash=sha256:0123456789abcdef\n0 3 * * * x\n# END sched other\n# last, no newline';

describe('splitCrontab', () => {
  it('splits byte-exactly around the block', () => {
    const text = applyChanges(FOREIGN, 'billing', [create(A)]);
    const s = splitCrontab(text, 'billing');
    expect(s.before + s.block! + s.after).toBe(text);
    expect(s.block!.startsWith('# BEGIN sched billing\n')).toBe(true);
    expect(s.block!.endsWith('# END sched billing')).toBe(true);
    expect(splitCrontab(FOREIGN, 'billing')).toEqual({ before: FOREIGN, after: '' });
  });

  const unbalanced: [string, string][] = [
    ['BEGIN without END', '# BEGIN sched billing\n0 1 * * * x\n'],
    ['END without BEGIN', '0 1 * * * x\n# END sched billing\n'],
    ['two BEGINs', '# BEGIN sched billing\n# BEGIN sched billing\n# END sched billing\n'],
    [
      'two blocks',
      '# BEGIN sched billing\n# END sched billing\n# BEGIN sched billing\n# END sched billing\n',
    ],
    ['END before BEGIN', '# END sched billing\n# BEGIN sched billing\n'],
    [
      'another project inside',
      '# BEGIN sched billing\n# BEGIN sched other\n# END sched other\n# END sched billing\n',
    ],
    [
      'inside another project',
      '# BEGIN sched other\n# BEGIN sched billing\n# END sched billing\n# END sched other\n',
    ],
    ['inside an unclosed block', '# BEGIN sched other\n# BEGIN sched billing\n# END sched billing\n'],
    ['hand-typed marker counts', '#BEGIN  sched billing\n0 1 * * * x\n'],
  ];
  for (const [what, text] of unbalanced) {
    it(`refuses ${what} with a UserError and a hint`, () => {
      let err: unknown;
      try {
        splitCrontab(text, 'billing');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CrontabMarkerError);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).hint).toMatch(/crontab -e/);
      expect((err as UserError).message).toMatch(/line \d+/);
      expect(() => applyChanges(text, 'billing', [create(A)])).toThrow(CrontabMarkerError);
    });
  }

  it("ignores other projects' unbalanced markers when they do not enclose the block", () => {
    const text = '# END sched other\n# BEGIN sched billing\n# END sched billing\n# BEGIN sched third\n';
    expect(splitCrontab(text, 'billing').block).toBe('# BEGIN sched billing\n# END sched billing\n');
  });
});

describe('parseCrontab', () => {
  it('reads entries with recorded and actual hashes', () => {
    const text = applyChanges(FOREIGN, 'billing', [create(A), create(B)]);
    const got = parseCrontab(text, 'billing');
    expect(got).toEqual([
      {
        id: A.id,
        job: 'alpha',
        kind: 'crontab entry',
        content: A.content,
        recordedHash: A.hash,
        actualHash: A.hash,
        registered: true,
      },
      {
        id: B.id,
        job: 'beta',
        kind: 'crontab entry',
        content: B.content,
        recordedHash: B.hash,
        actualHash: B.hash,
        registered: true,
      },
    ]);
    expect(parseCrontab(text, 'other').map((a) => a.job)).toEqual(['x']);
  });

  it('shows a hand edit of the cron line as drift', () => {
    const text = applyChanges('', 'billing', [create(A)]).replace('0 2 * * *', '0 3 * * *');
    const [a] = parseCrontab(text, 'billing');
    expect(a!.recordedHash).toBe(A.hash);
    expect(a!.actualHash).not.toBe(A.hash);
    expect(a!.content).toContain('0 3 * * *');
  });

  it('counts hand-added lines in the block as part of an entry (drift), so the repair removes them', () => {
    const text = applyChanges('', 'billing', [create(A), create(B)])
      .replace('# BEGIN sched billing\n', '# BEGIN sched billing\n* * * * * added-first\n')
      .replace('# END sched billing', '* * * * * added-later\n# END sched billing');
    const got = parseCrontab(text, 'billing');
    expect(got.map((a) => a.id)).toEqual([A.id, B.id]);
    expect(got[0]!.content).toBe('* * * * * added-first\n' + A.content);
    expect(got[1]!.content).toBe(B.content + '* * * * * added-later\n');
    for (const a of got) expect(a.actualHash).not.toBe(a.recordedHash);
    // The plan updates both ("edited by hand"): the block is clean again.
    const fixed = applyChanges(text, 'billing', [update(A), update(B)]);
    expect(fixed).toBe(applyChanges('', 'billing', [create(A), create(B)]));
  });

  it('reads a block with only hand-added lines as the stray pseudo-artifact, which a delete removes', () => {
    const text = 'x=1\n# BEGIN sched billing\n* * * * * by hand\n# END sched billing\n';
    const got = parseCrontab(text, 'billing');
    expect(got).toEqual([
      {
        id: STRAY_ID,
        job: '',
        kind: 'crontab entry',
        content: '* * * * * by hand\n',
        recordedHash: contentHash(''),
        actualHash: contentHash('* * * * * by hand\n'),
        registered: true,
      },
    ]);
    expect(applyChanges(text, 'billing', [del(STRAY_ID)])).toBe('x=1\n');
    expect(parseCrontab('# BEGIN sched billing\n# END sched billing\n', 'billing')).toEqual([]);
  });

  it('counts a duplicate header and its lines as a hand edit of the entry before it', () => {
    const text = applyChanges('', 'billing', [create(A)]).replace('# END', A.content + '# END');
    const got = parseCrontab(text, 'billing');
    expect(got.map((a) => a.id)).toEqual([A.id]);
    expect(got[0]!.content).toBe(A.content + A.content);
    expect(got[0]!.actualHash).not.toBe(A.hash);
    expect(applyChanges(text, 'billing', [update(A)])).toBe(applyChanges('', 'billing', [create(A)]));
  });
});

describe('applyChanges', () => {
  it('updates in place, deletes, and removes the block with its markers when empty', () => {
    const t1 = applyChanges(FOREIGN, 'billing', [create(A), create(B)]);
    expect(t1).toBe(`${FOREIGN}\n# BEGIN sched billing\n${A.content}${B.content}# END sched billing`);
    const t2 = applyChanges(t1, 'billing', [update(A2)]);
    expect(t2).toBe(`${FOREIGN}\n# BEGIN sched billing\n${A2.content}${B.content}# END sched billing`);
    const t3 = applyChanges(t2, 'billing', [del(A.id)]);
    expect(t3).toBe(`${FOREIGN}\n# BEGIN sched billing\n${B.content}# END sched billing`);
    expect(applyChanges(t3, 'billing', [del(B.id)])).toBe(FOREIGN);
  });

  it('keeps a block in the middle where it is, and keeps a final newline', () => {
    const mid = `x=1\n# BEGIN sched billing\n${A.content}# END sched billing\n# after\n`;
    expect(applyChanges(mid, 'billing', [create(B)])).toBe(
      `x=1\n# BEGIN sched billing\n${A.content}${B.content}# END sched billing\n# after\n`,
    );
    expect(applyChanges(mid, 'billing', [del(A.id)])).toBe('x=1\n# after\n');
    expect(applyChanges('x=1\n', 'billing', [create(A)])).toBe(
      `x=1\n# BEGIN sched billing\n${A.content}# END sched billing\n`,
    );
  });

  it('is idempotent and changes nothing with no changes', () => {
    const t1 = applyChanges(FOREIGN, 'billing', [create(A)]);
    expect(applyChanges(t1, 'billing', [create(A)])).toBe(t1);
    expect(applyChanges(t1, 'billing', [])).toBe(t1);
    expect(applyChanges(FOREIGN, 'billing', [del(A.id)])).toBe(FOREIGN);
    expect(applyChanges('', 'billing', [])).toBe('');
  });

  it("never touches another project's block", () => {
    const t1 = applyChanges(FOREIGN, 'other', [create(entryArtifact('other', 'y', ['0 4 * * * y']))]);
    expect(t1).toContain('0 3 * * * x\n');
    expect(t1.startsWith(FOREIGN.slice(0, FOREIGN.indexOf('# END sched other')))).toBe(true);
  });
});

describe('applyChanges: never a crontab sched cannot read back or undo', () => {
  it("refuses to append after another project's BEGIN that no END closes, naming the line and the fix", () => {
    for (const open of ['# BEGIN sched other', '#BEGIN sched notes-2019\t']) {
      const text = `MAILTO=""\n${open}\n0 1 * * * x\n# END sched elsewhere\n`;
      let error: unknown;
      try {
        applyChanges(text, 'billing', [create(A)]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CrontabMarkerError);
      const e = error as CrontabMarkerError;
      expect(e.message).toMatch(
        /line 2 .* no '# END sched (other|notes-2019)' line closes.*nothing was written/,
      );
      expect(e.hint).toMatch(/add its '# END sched .*' line .*reword it/);
    }
    // Closed, or after our own block, it is no obstacle.
    const closed = `# BEGIN sched other\n0 1 * * * x\n# END sched other\n`;
    expect(() => applyChanges(closed, 'billing', [create(A)])).not.toThrow();
    const ours = applyChanges('x=1\n', 'billing', [create(A)]);
    const later = `${ours}# BEGIN sched other\n`;
    expect(applyChanges(later, 'billing', [create(B)])).toContain(B.content);
    expect(applyChanges(later, 'billing', [del(A.id)])).toBe('x=1\n# BEGIN sched other\n');
  });

  it('says how to get out when the block already sits after an open BEGIN', () => {
    const text = `# BEGIN sched other\n# BEGIN sched billing\n${A.content}# END sched billing\n`;
    expect(() => applyChanges(text, 'billing', [del(A.id)])).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/add its '# END sched other' line/) }),
    );
  });

  it('keeps the newline it added after a last line crontab refuses without one, and only then', () => {
    for (const [foreign, undone] of [
      ['x=1\n0 1 * * * echo last', 'x=1\n0 1 * * * echo last\n'],
      ['SHELL=/bin/sh', 'SHELL=/bin/sh\n'],
      ['x=1\n# a comment', 'x=1\n# a comment'],
      ['x=1\n \t', 'x=1\n \t'],
      ['x=1\n\t# indented', 'x=1\n\t# indented'],
    ] as const) {
      const applied = applyChanges(foreign, 'billing', [create(A)]);
      expect(applied.startsWith(`${foreign}\n# BEGIN sched billing\n`)).toBe(true);
      expect(applyChanges(applied, 'billing', [del(A.id)])).toBe(undone);
    }
  });

  it('keeps foreign bytes of any value when given the crontab as bytes; the block is UTF-8', () => {
    const foreign = Buffer.from([0x23, 0x0d, 0x08, 0xe9, 0xff, 0x80, 0x1b, 0x0a, 0x23, 0xc3]).toString(
      'latin1',
    );
    const described = renderJob(job('a', { description: 'caf\u00e9 \u2713' }), ctx)[0]!;
    const applied = applyChangesToBytes(foreign, 'billing', [create(described)]);
    expect(applied.startsWith(`${foreign}\n`)).toBe(true);
    expect(Buffer.from(applied, 'latin1').toString('utf8')).toContain('# caf\u00e9 \u2713\n');
    const [installed] = parseCrontabBytes(applied, 'billing');
    expect(installed).toMatchObject({ content: described.content, actualHash: described.hash });
    expect(applyChangesToBytes(applied, 'billing', [del(described.id)])).toBe(foreign);
  });
});

// ---------- property tests ----------

/** Foreign crontab lines: anything but our markers (cron lines with %, env lines, comments, blanks, tabs, CR). */
const foreignLine = fc
  .oneof(
    fc.constantFrom(
      '',
      '\t',
      '   ',
      '# comment',
      'MAILTO=""',
      'SHELL=/bin/sh',
      '0 1 * * * echo 100\\% %in',
      '@reboot x',
      '#BEGIN sched',
      '# END sched',
      'x\r',
    ),
    fc.string({
      unit: fc.constantFrom(
        '#',
        ' ',
        '\t',
        'B',
        'E',
        'G',
        'I',
        'N',
        'D',
        's',
        'c',
        'h',
        'e',
        'd',
        'b',
        'i',
        'l',
        'n',
        'g',
        '%',
        '*',
        '\\',
        'é',
        '\r',
      ),
      maxLength: 24,
    }),
    fc.string({ maxLength: 30 }),
  )
  .filter((l) => !l.includes('\n') && !MARKER_PATTERN.test(l));
const foreignText = fc
  .tuple(fc.array(foreignLine, { maxLength: 8 }), fc.boolean(), fc.boolean())
  .map(([lines, finalNewline, otherBlock]) => {
    const all = otherBlock
      ? [...lines, '# BEGIN sched other', '0 1 * * * other', '# END sched other']
      : lines;
    const text = all.join('\n');
    return finalNewline && text !== '' ? `${text}\n` : text;
  });

const jobNames = ['a', 'b', 'c', 'd'];
const pool: Artifact[] = jobNames.flatMap((n) => [
  renderJob(job(n), ctx)[0]!,
  renderJob(
    job(n, { description: `${n}%\\'"`, schedule: { kind: 'cron', expr: '@hourly', source: '' } }),
    ctx,
  )[0]!,
]);
pool.push(...renderProjectEntries('billing', [job('a')], ctx));
const changeSet = fc.array(
  fc.oneof(
    fc.constantFrom(...pool).map((a) => ({ put: a })),
    fc.constantFrom(...pool.map((a) => a.id)).map((id) => ({ del: id })),
  ),
  { maxLength: 6 },
);

describe('properties', () => {
  it('foreign bytes stay identical through any sequence of changes, and the block holds exactly the model', () => {
    fc.assert(
      fc.property(
        foreignText,
        foreignText,
        fc.array(changeSet, { minLength: 1, maxLength: 5 }),
        (head, tail, rounds) => {
          const model = new Map<string, string>();
          const sepOf = (t: string): string => (t === '' || t.endsWith('\n') ? '' : '\n');
          /** Without the block: the newline sched added stays when crontab would refuse the text without it. */
          const restored = (t: string): string => (/(^|\n)[ \t]*(#[^\n]*)?$/.test(t) ? t : `${t}\n`);
          let text = head;
          /** The bytes that are not ours: what must come back when the block is gone. */
          let foreign = head;
          let present = false;
          let expBefore = '';
          let expAfter = '';
          let tailPlaced = false;
          for (const round of rounds) {
            const changes: ArtifactChange[] = round.map((c) => {
              if ('put' in c) {
                const action = model.has(c.put.id) ? 'update' : 'create';
                model.set(c.put.id, c.put.content);
                return { action, id: c.put.id, job: c.put.job, kind: c.put.kind, after: c.put };
              }
              model.delete(c.del);
              return del(c.del);
            });
            text = applyChanges(text, 'billing', changes);
            if (model.size > 0 && !present) {
              // A new block goes at the end, after a newline if the text lacks one.
              [present, expBefore, expAfter] = [true, foreign + sepOf(foreign), ''];
            } else if (model.size === 0 && present) {
              present = false;
              foreign = expAfter !== '' ? expBefore + expAfter : restored(foreign);
            }
            if (present && !tailPlaced && tail !== '') {
              // Lines added by hand after the block (on a new line): they must survive every round.
              text += (text.endsWith('\n') ? '' : '\n') + tail;
              [expAfter, tailPlaced] = [tail, true];
            }
            const s = splitCrontab(text, 'billing');
            if (!present) {
              expect(s.block).toBeUndefined();
              expect(text).toBe(foreign);
            } else {
              expect(s.before).toBe(expBefore);
              expect(s.after).toBe(expAfter);
              const installed = parseCrontab(text, 'billing');
              expect(new Map(installed.map((a) => [a.id, a.content]))).toEqual(model);
              for (const a of installed) expect(a.actualHash).toBe(a.recordedHash);
            }
          }
          // Destroying everything gives the foreign bytes back.
          const expected =
            present && expAfter !== '' ? expBefore + expAfter : present ? restored(foreign) : foreign;
          expect(applyChanges(text, 'billing', [...model.keys()].map(del))).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parse(render(x)) = x for any set of jobs', () => {
    const desc = fc.option(fc.string({ maxLength: 20 }), { nil: undefined });
    const expr = fc.constantFrom('0 2 * * *', '*/15 9-17 * * 1-5', '@daily', '0 0 1,15 * 0,7');
    const jobArb = fc.record({
      name: fc.constantFrom(...jobNames, 'x-1', '0z'),
      description: desc,
      expr,
      boot: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(jobArb, { selector: (j) => j.name, maxLength: 6 }),
        foreignText,
        (specs, foreign) => {
          const jobs = specs.map((s) =>
            job(s.name, {
              description: s.description,
              schedule: s.boot
                ? { kind: 'event', event: 'boot', source: 'boot' }
                : { kind: 'cron', expr: s.expr, source: s.expr },
            }),
          );
          const artifacts = [
            ...renderProjectEntries('billing', jobs, ctx),
            ...jobs.flatMap((j) => renderJob(j, ctx)),
          ];
          const text = applyChanges(foreign, 'billing', artifacts.map(create));
          const parsed = parseCrontab(text, 'billing');
          const asInstalled = (a: Artifact) => ({
            id: a.id,
            job: a.job,
            kind: a.kind,
            content: a.content,
            recordedHash: a.hash,
            actualHash: a.hash,
            registered: true,
          });
          expect([...parsed].sort((x, y) => x.id.localeCompare(y.id))).toEqual(
            artifacts.map(asInstalled).sort((x, y) => x.id.localeCompare(y.id)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
