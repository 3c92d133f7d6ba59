/**
 * Windows render/parse: golden files (UTF-16 LE with BOM), validation of every rendered task
 * against Microsoft's Task Scheduler schema with xmllint, normalisation (a task Windows
 * re-serialised is not drift), Windows quoting, parse∘render on random jobs, refusals.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InexpressibleError } from '../../../src/errors.js';
import { runInvocation } from '../../../src/backends/invocation.js';
import {
  canonicalTaskXml,
  checkWindowsJob,
  decodeTaskXml,
  encodeTaskXml,
  normalizeTaskXml,
  parseTaskXml,
  quoteWindowsArg,
  renderWindowsJob,
  splitWindowsArgs,
  taskHash,
  WindowsBackend,
} from '../../../src/backends/windows/index.js';
import { expandTaskTriggers } from '../oracles/tasktrigger.js';
import { fireTimesBetween } from '../../../src/schedule/occurrences.js';
import { GOLDEN_JOBS, WIN_CTX, makeJob, type JobOverrides } from '../launchd/job-fixture.js';
import { windowsReserialise } from './fake-schtasks.js';
import { expectGolden } from '../../helpers/golden.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const XSD = path.resolve(REPO, '../shared/data/windows-task.xsd');
const GOLDEN_DIR = path.resolve(REPO, 'test/golden/windows');
const hasXmllint = spawnSync('xmllint', ['--version']).error === undefined;
const hasXsd = existsSync(XSD);
if (!hasXmllint)
  console.log(
    '[windows] xmllint not found (Debian package libxml2-utils): schema validation tests are skipped',
  );
if (!hasXsd) console.log(`[windows] ${XSD} is absent: schema validation tests are skipped`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sched-windows-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const goldenBytes = (name: string, actual: Buffer) => expectGolden(path.join(GOLDEN_DIR, name), actual);

let n = 0;
function xmllint(bytes: Buffer): { ok: boolean; output: string } {
  const f = path.join(tmp, `task-${n++}.xml`);
  writeFileSync(f, bytes);
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, f], { encoding: 'utf8' });
  return { ok: r.status === 0, output: r.stderr };
}

describe('Windows golden files', () => {
  for (const [name, job] of Object.entries(GOLDEN_JOBS)) {
    it(name, () => {
      const problems = checkWindowsJob(job, WIN_CTX);
      if (problems.length > 0) {
        goldenBytes(`${name}.rejected.txt`, Buffer.from(problems.join('\n') + '\n'));
        return;
      }
      const a = renderWindowsJob(job, WIN_CTX);
      expect(a.id).toBe(`${job.name}.xml`);
      goldenBytes(`${name}.xml`, encodeTaskXml(a.content));
    });
  }
  it('one-shot', () => {
    const a = renderWindowsJob(
      makeJob({
        name: 'year-end',
        schedule: { kind: 'at', local: '2026-12-31 09:00', source: '2026-12-31 09:00' },
      }),
      WIN_CTX,
    );
    goldenBytes('one-shot.xml', encodeTaskXml(a.content));
  });
});

describe('Windows encoding', () => {
  it('sched render writes UTF-16 LE files named <job>.xml', () => {
    const b = new WindowsBackend({ runner: { run: () => Promise.reject(new Error('no')) }, tempDir: tmp });
    const a = renderWindowsJob(makeJob(), WIN_CTX);
    const [f] = b.renderFiles('billing', [a]);
    expect(f!.name).toBe('nightly-report.xml');
    expect(Buffer.from(f!.content as Uint8Array).equals(encodeTaskXml(a.content))).toBe(true);
  });
  it('UTF-16 LE with a BOM and a matching declaration', () => {
    const bytes = encodeTaskXml(renderWindowsJob(makeJob({ description: 'Grüße 😀' }), WIN_CTX).content);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    expect(
      bytes
        .subarray(2)
        .toString('utf16le')
        .startsWith('<?xml version="1.0" encoding="UTF-16"?>\n<Task version="1.3" '),
    ).toBe(true);
    expect(decodeTaskXml(bytes)).toContain('Grüße 😀');
  });
});

describe.skipIf(!hasXmllint || !hasXsd)(
  'every rendered task validates against the Task Scheduler schema (xmllint)',
  () => {
    const jobs: Array<[string, JobOverrides]> = [
      ...Object.entries(GOLDEN_JOBS).map(([k, j]) => [k, j] as [string, JobOverrides]),
      ['one-shot', { schedule: { kind: 'at', local: '2026-12-31 09:00', source: '2026-12-31 09:00' } }],
      ['with timeout', { timeoutSeconds: 3600, overlap: 'allow' }],
    ];
    for (const [name, over] of jobs) {
      it(name, () => {
        const job = makeJob(over);
        if (checkWindowsJob(job, WIN_CTX).length > 0) return;
        const r = xmllint(encodeTaskXml(renderWindowsJob(job, WIN_CTX).content));
        expect(r.output).toMatch(/validates/);
        expect(r.ok).toBe(true);
      });
    }
    it('every accepted expression of the conversion set', async () => {
      const { EXPRESSIONS } = await import('../launchd/expressions.js');
      let validated = 0;
      for (const expr of new Set(EXPRESSIONS)) {
        const job = makeJob({ schedule: expr });
        if (checkWindowsJob(job, WIN_CTX).length > 0) continue;
        const r = xmllint(encodeTaskXml(renderWindowsJob(job, WIN_CTX).content));
        expect(r.ok, `${expr}: ${r.output}`).toBe(true);
        validated++;
      }
      expect(validated).toBeGreaterThan(90);
    });
    it('the schema check is not vacuous: a task with 49 triggers or version 1.4 fails', () => {
      const ok = renderWindowsJob(makeJob(), WIN_CTX).content;
      expect(xmllint(encodeTaskXml(ok.replace('version="1.3"', 'version="1.4"'))).ok).toBe(false);
      const trig = /<CalendarTrigger>[\s\S]*?<\/CalendarTrigger>/.exec(ok)![0];
      expect(xmllint(encodeTaskXml(ok.replace(trig, Array(49).fill(trig).join('\n')))).ok).toBe(false);
    });
  },
);

describe('normalisation: what Windows re-serialises is not drift', () => {
  for (const [name, job] of Object.entries(GOLDEN_JOBS)) {
    it(name, () => {
      if (checkWindowsJob(job, WIN_CTX).length > 0) return;
      const a = renderWindowsJob(job, WIN_CTX);
      const fromWindows = windowsReserialise(a.content);
      expect(fromWindows).not.toBe(a.content);
      expect(normalizeTaskXml(fromWindows)).toBe(normalizeTaskXml(a.content));
      expect(taskHash(fromWindows)).toBe(a.hash);
      // sched writes the canonical layout, so the re-serialised task reads back as the same text.
      expect(canonicalTaskXml(a.content)).toBe(a.content);
      expect(canonicalTaskXml(fromWindows)).toBe(a.content);
    });
  }
  it('a real change is drift', () => {
    const a = renderWindowsJob(makeJob(), WIN_CTX);
    const edited = windowsReserialise(a.content).replace(
      '<MultipleInstancesPolicy>IgnoreNew',
      '<MultipleInstancesPolicy>Parallel',
    );
    expect(taskHash(edited)).not.toBe(a.hash);
    expect(taskHash(a.content.replace('T02:00:00', 'T03:00:00'))).not.toBe(a.hash);
  });
  it('the Source element (ownership) is left out of the hash', () => {
    const a = renderWindowsJob(makeJob(), WIN_CTX);
    expect(taskHash(a.content.replace(/<Source>.*<\/Source>/, '<Source>x</Source>'))).toBe(a.hash);
  });
});

describe('Task fields', () => {
  it('settings follow the job', () => {
    const p = parseTaskXml(
      renderWindowsJob(makeJob({ overlap: 'queue', catchUp: false, timeoutSeconds: 1800 }), WIN_CTX).content,
    );
    expect(p.overlap).toBe('queue');
    expect(p.startWhenAvailable).toBe(false);
    expect(p.executionTimeLimitSeconds).toBe(1860);
    const q = parseTaskXml(renderWindowsJob(makeJob({ overlap: 'replace', catchUp: true }), WIN_CTX).content);
    expect(q.overlap).toBe('replace');
    expect(q.startWhenAvailable).toBe(true);
    expect(q.executionTimeLimitSeconds).toBe(0);
    expect(q.uri).toBe('\\sched\\billing\\nightly-report');
  });
  it('boot, wake and one-shot triggers', () => {
    expect(parseTaskXml(renderWindowsJob(makeJob({ schedule: 'boot' }), WIN_CTX).content).triggers).toEqual([
      { kind: 'boot' },
    ]);
    const wake = parseTaskXml(renderWindowsJob(makeJob({ schedule: 'wake' }), WIN_CTX).content).triggers[0]!;
    expect(wake.kind).toBe('wake');
    expect((wake as { subscription: string }).subscription).toContain(
      "Microsoft-Windows-Power-Troubleshooter'] and EventID=1",
    );
    const once = makeJob({ schedule: { kind: 'at', local: '2026-12-31 09:00', source: '2026-12-31 09:00' } });
    expect(parseTaskXml(renderWindowsJob(once, WIN_CTX).content).triggers).toEqual([
      { kind: 'once', local: '2026-12-31 09:00' },
    ]);
  });
  it('the triggers read back from the XML fire at the cron instants', () => {
    for (const expr of ['*/15 9-17 * * 1-5', '30 23 28-31 * *', '0 6 1 * 1', '* 12 * * *', '0 0 * 2 *']) {
      const p = parseTaskXml(renderWindowsJob(makeJob({ schedule: expr }), WIN_CTX).content);
      const triggers = p.triggers
        .map((t) => (t.kind === 'calendar' ? t.trigger : undefined))
        .filter((t) => t !== undefined);
      const from = new Date('2027-01-01T00:00:00Z');
      const to = new Date('2028-12-31T00:00:00Z');
      const got = expandTaskTriggers(triggers, from, to, 'UTC', true).map((d) => d.getTime());
      expect(got).toEqual(
        fireTimesBetween({ kind: 'cron', expr, source: expr }, 'UTC', from, to).map((d) => d.getTime()),
      );
    }
  });
});

describe('Windows refusals name the job, say why and what to do', () => {
  const cases: Array<[string, JobOverrides, RegExp]> = [
    [
      'another zone',
      { timezone: 'America/New_York' },
      /America\/New_York.*local time.*Hint: set `timezone: Europe\/Istanbul`/,
    ],
    ['dom AND dow', { schedule: '0 0 */2 * 1' }, /AND.*Hint: .*1,3,5/],
    ['weekday with month', { schedule: '0 9 * 6-8 1-5' }, /week of the month.*Hint:/],
    ['Feb 29 without the 28th', { schedule: '0 0 29 * *' }, /February 29.*Hint:/],
    [
      'too many triggers',
      { schedule: '1,2,4,8,16,32 1,2,4,8,16 1,15,30,31 * 1' },
      /needs 60 triggers .*a task holds at most 48.*Hint:/,
    ],
  ];
  for (const [name, over, re] of cases) {
    it(name, () => {
      const job = makeJob({ name: 'tricky', ...over });
      const msgs = checkWindowsJob(job, WIN_CTX);
      expect(msgs[0]).toMatch(/^job 'tricky' cannot be expressed exactly for windows: /);
      expect(msgs[0]).toMatch(re);
      expect(() => renderWindowsJob(job, WIN_CTX)).toThrow(InexpressibleError);
    });
  }
  it("a '%' in the node or sched path (Task Scheduler would expand it)", () => {
    const ctx = { ...WIN_CTX, nodePath: 'C:\\%USERNAME%\\node.exe' };
    expect(checkWindowsJob(makeJob(), ctx)[0]).toMatch(/'%'/);
    expect(() => renderWindowsJob(makeJob(), ctx)).toThrow(/'%'/);
  });
});

/** Strings with the characters that break naive escaping (no C0 controls but tab/newline: XML cannot carry them). */
const nasty = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"',
        "'",
        '$',
        '&',
        '<',
        '>',
        ']]>',
        '\\',
        '\\\\',
        '\\"',
        ' ',
        '\n',
        '\t',
        '`',
        '^',
        '!',
        '日本',
        '😀',
        'é',
        '&amp;',
        '--',
      ),
      fc.string({ minLength: 1, maxLength: 3 }).filter(
        // eslint-disable-next-line no-control-regex
        (s) => !/[\u0000-\u0008\u000b-\u001f\u007f\ufffe\uffff%]/.test(s) && !/[\ud800-\udfff]/.test(s),
      ),
    ),
    { minLength: 0, maxLength: 8 },
  )
  .map((parts) => parts.join(''));
const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);

describe('Windows quoting (CommandLineToArgvW rules)', () => {
  it('split ∘ quote = identity for any argument list', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 6 }), (args) => {
        expect(splitWindowsArgs(args.map(quoteWindowsArg).join(' '))).toEqual(args);
      }),
      { numRuns: 2000 },
    );
  });
  it('known cases from the CommandLineToArgvW documentation', () => {
    expect(splitWindowsArgs('"a b c" d e')).toEqual(['a b c', 'd', 'e']);
    expect(splitWindowsArgs('"ab\\"c" "\\\\" d')).toEqual(['ab"c', '\\', 'd']);
    expect(splitWindowsArgs('a\\\\\\b d"e f"g h')).toEqual(['a\\\\\\b', 'de fg', 'h']);
    expect(splitWindowsArgs('a\\\\\\"b c d')).toEqual(['a\\"b', 'c', 'd']);
    expect(splitWindowsArgs('a\\\\\\\\"b c" d e')).toEqual(['a\\\\b c', 'd', 'e']);
    expect(quoteWindowsArg('C:\\Program Files\\')).toBe('"C:\\Program Files\\\\"');
    expect(quoteWindowsArg('')).toBe('""');
  });
});

describe('parse ∘ render = the job fields (property)', () => {
  it('random names, descriptions, paths', () => {
    fc.assert(
      fc.property(
        name,
        name,
        nasty,
        nasty,
        fc.constantFrom('skip', 'queue', 'replace', 'allow' as const),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 86400 })),
        (project, job, dir, desc, overlap, catchUp, timeout) => {
          const ctx = { ...WIN_CTX, nodePath: `C:\\${dir}\\node.exe`, schedBin: `C:\\${dir}\\run.js` };
          const j = makeJob({
            project,
            name: job,
            description: desc || undefined,
            overlap,
            catchUp,
            timeoutSeconds: timeout ?? undefined,
          });
          const a = renderWindowsJob(j, ctx);
          for (const text of [a.content, windowsReserialise(a.content)]) {
            const p = parseTaskXml(text);
            expect([p.command, ...p.args]).toEqual(runInvocation(ctx, 'windows', project, job));
            expect(p.ownership).toEqual({ project, job, hash: a.hash });
            expect(p.description).toBe(desc || undefined);
            expect(p.overlap).toBe(overlap);
            expect(p.startWhenAvailable).toBe(catchUp);
            expect(p.uri).toBe(`\\sched\\${project}\\${job}`);
          }
          expect(taskHash(windowsReserialise(a.content))).toBe(a.hash);
          expect(canonicalTaskXml(windowsReserialise(a.content))).toBe(a.content);
        },
      ),
      { numRuns: 300 },
    );
  });
  it.skipIf(!hasXmllint || !hasXsd)('random tasks validate against the schema', () => {
    fc.assert(
      fc.property(name, nasty, nasty, (job, dir, desc) => {
        const ctx = { ...WIN_CTX, nodePath: `C:\\${dir}\\node.exe` };
        const r = xmllint(
          encodeTaskXml(
            renderWindowsJob(makeJob({ name: job, description: desc || undefined }), ctx).content,
          ),
        );
        expect(r.ok, r.output).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
  it('the schema-valid XML text is also well-formed for execFileSync-free checks', () => {
    // xmllint also parses without a schema; keep one plain well-formedness check for hosts without the XSD.
    if (!hasXmllint) return;
    const f = path.join(tmp, 'wf.xml');
    writeFileSync(f, encodeTaskXml(renderWindowsJob(makeJob({ description: '<&>"\'' }), WIN_CTX).content));
    expect(() => execFileSync('xmllint', ['--noout', f])).not.toThrow();
  });
});
