/**
 * launchd render/parse: golden files, a plistutil round trip (libplist reads back the same
 * plist and writes the same text), parse∘render on random jobs, and refusals with reasons.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import plist from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import { InexpressibleError } from '../../../src/errors.js';
import { runInvocation } from '../../../src/backends/invocation.js';
import { contentHash, parseOwnership } from '../../../src/backends/header.js';
import {
  checkLaunchdJob,
  launchdLabel,
  parseLaunchdPlist,
  renderLaunchdCatchUp,
  renderLaunchdJob,
  stripOwnershipComment,
  LaunchdBackend,
} from '../../../src/backends/launchd/index.js';
import { MemoryDirFs } from '../../../src/platform/node.js';
import { cronToLaunchd } from '../../../src/schedule/to-launchd.js';
import { parseCron } from '../../../src/schedule/cron.js';
import { GOLDEN_JOBS, MAC_CTX, makeJob, type JobOverrides } from './job-fixture.js';
import { expectGolden } from '../../helpers/golden.js';

const GOLDEN_DIR = path.resolve(import.meta.dirname, '../../golden/launchd');
const hasPlistutil = spawnSync('plistutil', ['-h']).error === undefined;
if (!hasPlistutil)
  console.log(
    '[launchd] plistutil not found (Debian package libplist-utils): plistutil round-trip tests are skipped',
  );

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sched-launchd-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const golden = (name: string, actual: string) => expectGolden(path.join(GOLDEN_DIR, name), actual);

/** xml → binary → xml through libplist: the text libplist (and Apple's writer) produce. */
function plistutilRoundTrip(content: string): { viaBinary: string; viaXml: string } {
  const dir = mkdtempSync(path.join(tmp, 'rt-'));
  const f = path.join(dir, 'a.plist');
  writeFileSync(f, content);
  execFileSync('plistutil', ['-i', f, '-o', path.join(dir, 'a.bin'), '-f', 'bin']);
  const viaBinary = execFileSync('plistutil', ['-i', path.join(dir, 'a.bin'), '-o', '-', '-f', 'xml'], {
    encoding: 'utf8',
  });
  const viaXml = execFileSync('plistutil', ['-i', f, '-o', '-', '-f', 'xml'], { encoding: 'utf8' });
  return { viaBinary, viaXml };
}

describe('launchd golden files', () => {
  for (const [name, job] of Object.entries(GOLDEN_JOBS)) {
    it(name, () => {
      const problems = checkLaunchdJob(job, MAC_CTX);
      if (problems.length > 0) {
        expect(() => renderLaunchdJob(job, MAC_CTX)).toThrow(InexpressibleError);
        golden(`${name}.rejected.txt`, problems.join('\n') + '\n');
        return;
      }
      const a = renderLaunchdJob(job, MAC_CTX);
      expect(a.id).toBe(`dev.sched.billing.${job.name}.plist`);
      golden(`${name}.plist`, a.content);
    });
  }
  it('catch-up agent', () => {
    golden('catch-up.plist', renderLaunchdCatchUp('billing', MAC_CTX).content);
  });
});

describe('launchd render', () => {
  it('carries an ownership comment whose hash covers the rest of the text', () => {
    const a = renderLaunchdJob(makeJob(), MAC_CTX);
    const own = parseOwnership(a.content)!;
    expect(own).toEqual({ project: 'billing', job: 'nightly-report', hash: a.hash });
    expect(a.content.split('\n')[1]).toBe(
      `<!-- sched-managed project=billing job=nightly-report hash=${a.hash} -->`,
    );
    expect(contentHash(stripOwnershipComment(a.content))).toBe(a.hash);
  });

  it('puts no environment (secrets or not) into the plist; sched run reads env and env_file', () => {
    const a = renderLaunchdJob(makeJob({ env: { TOKEN: 'hunter2' }, envFile: '/Users/ada/.env' }), MAC_CTX);
    expect(a.content).not.toContain('EnvironmentVariables');
    expect(a.content).not.toContain('hunter2');
  });

  it('boot and wake become RunAtLoad without a calendar', () => {
    for (const s of ['boot', 'wake']) {
      const p = parseLaunchdPlist(renderLaunchdJob(makeJob({ schedule: s }), MAC_CTX).content);
      expect(p.runAtLoad).toBe(true);
      expect(p.calendar).toBeUndefined();
    }
  });

  it('is byte-stable', () => {
    expect(renderLaunchdJob(makeJob(), MAC_CTX).content).toBe(renderLaunchdJob(makeJob(), MAC_CTX).content);
  });

  it('logs go to the job state dir', () => {
    const p = parseLaunchdPlist(renderLaunchdJob(makeJob(), MAC_CTX).content);
    expect(p.standardOutPath).toBe(
      '/Users/ada/Library/Application Support/sched/projects/billing/jobs/nightly-report/launchd.out.log',
    );
    expect(p.standardErrorPath).toBe(
      '/Users/ada/Library/Application Support/sched/projects/billing/jobs/nightly-report/launchd.err.log',
    );
  });

  it('catch-up agent only when some job wants catch-up', () => {
    const b = new LaunchdBackend({
      runner: { run: async () => ({ exitCode: 0, stdout: '', stderr: '' }) },
      dir: new MemoryDirFs(),
      uid: 501,
    });
    expect(b.renderProject('billing', [makeJob({ catchUp: false })], MAC_CTX)).toEqual([]);
    const [a] = b.renderProject('billing', [makeJob({ catchUp: true })], MAC_CTX);
    expect(parseLaunchdPlist(a!.content).programArguments).toEqual([
      MAC_CTX.nodePath,
      MAC_CTX.schedBin,
      'run',
      '--project',
      'billing',
      '--trigger',
      'launchd',
      '--catch-up',
    ]);
    expect(a!.id).toBe('dev.sched.billing.catch-up.plist');
  });
});

describe('launchd refusals name the job, say why and what to do', () => {
  const cases: Array<[string, JobOverrides, RegExp]> = [
    [
      'another zone',
      { timezone: 'America/New_York' },
      /America\/New_York.*local time.*Hint: set `timezone: Europe\/Istanbul`/,
    ],
    [
      'one-shot',
      { schedule: { kind: 'at', local: '2026-12-31 09:00', source: '2026-12-31 09:00' } },
      /one-shot.*Hint:/,
    ],
    ['dom AND dow', { schedule: '0 0 */2 * 1' }, /AND.*Hint: .*1,3,5/],
    ['weekday with month', { schedule: '0 9 * 6-8 1-5' }, /ignores Month.*Hint:/],
    ['Feb 29', { schedule: '0 0 29 * *' }, /February 29.*Hint:/],
  ];
  for (const [name, over, re] of cases) {
    it(name, () => {
      const job = makeJob({ name: 'tricky', ...over });
      const [msg] = checkLaunchdJob(job, MAC_CTX);
      expect(msg).toMatch(/^job 'tricky' cannot be expressed exactly for launchd: /);
      expect(msg).toMatch(re);
      expect(() => renderLaunchdJob(job, MAC_CTX)).toThrow(InexpressibleError);
    });
  }
  it("a name with '--' (XML comments cannot hold it)", () => {
    expect(checkLaunchdJob(makeJob({ name: 'a--b' }), MAC_CTX)[0]).toMatch(/'--'/);
    expect(() => renderLaunchdJob(makeJob({ name: 'a--b' }), MAC_CTX)).toThrow(/'--'/);
  });
  it('too many dicts', () => {
    const conv = cronToLaunchd(parseCron('*/2 */2 * * 1-5'));
    expect(conv.ok).toBe(false);
    if (!conv.ok) expect(conv.reason).toMatch(/needs 1800 StartCalendarInterval entries, more than the 1000/);
  });
});

describe.skipIf(!hasPlistutil)('plistutil round trip (libplist-utils)', () => {
  const all = [
    ...Object.values(GOLDEN_JOBS)
      .filter((j) => checkLaunchdJob(j, MAC_CTX).length === 0)
      .map((j) => renderLaunchdJob(j, MAC_CTX)),
    renderLaunchdCatchUp('billing', MAC_CTX),
  ];
  for (const a of all) {
    it(a.id, () => {
      const { viaBinary, viaXml } = plistutilRoundTrip(a.content);
      // Same text as libplist writes it (only the ownership comment, which binary plists cannot carry, is gone)…
      expect(viaBinary).toBe(stripOwnershipComment(a.content));
      // …and the same meaning read either way.
      expect(plist.parse(viaBinary)).toEqual(plist.parse(a.content));
      expect(plist.parse(viaXml)).toEqual(plist.parse(a.content));
    });
  }
});

/** Strings with the characters that break naive escaping; no C0 controls but tab/newline (XML 1.0 cannot carry them). */
const nasty = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"',
        "'",
        '%',
        '$',
        '&',
        '<',
        '>',
        ']]>',
        '\\',
        ' ',
        '\n',
        '\t',
        '`',
        '!',
        '#',
        '*',
        'é',
        'ß',
        '日本',
        '😀',
        '--',
        '$(x)',
        '%PATH%',
      ),
      fc.string({ minLength: 1, maxLength: 3 }).filter(
        // eslint-disable-next-line no-control-regex
        (s) => !/[\u0000-\u0008\u000b-\u001f\u007f\ufffe\uffff]/.test(s) && !/[\ud800-\udfff]/.test(s),
      ),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''));
const name = fc
  .stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)
  .filter((n) => n !== 'catch-up' && !n.includes('--'));

describe('parse ∘ render = the job fields (property)', () => {
  it('random names, paths and environment', () => {
    fc.assert(
      fc.property(
        name,
        name,
        nasty,
        nasty,
        nasty,
        fc.dictionary(fc.stringMatching(/^[A-Z_]{1,8}$/), nasty),
        (project, job, nodeDir, stateDir, desc, env) => {
          const ctx = {
            ...MAC_CTX,
            nodePath: `/${nodeDir}/node`,
            schedBin: `/${nodeDir}/sched/run.js`,
            stateDir: `/${stateDir}`,
          };
          const j = makeJob({ project, name: job, description: desc, env, schedule: '*/15 9-17 * * 1-5' });
          const a = renderLaunchdJob(j, ctx);
          const p = parseLaunchdPlist(a.content);
          expect(p.label).toBe(launchdLabel(project, job));
          expect(p.programArguments).toEqual(runInvocation(ctx, 'launchd', project, job));
          expect(p.calendar).toEqual(
            (cronToLaunchd(parseCron('*/15 9-17 * * 1-5')) as { dicts: unknown }).dicts,
          );
          expect(p.ownership).toEqual({ project, job, hash: a.hash });
          expect(p.standardOutPath).toBe(
            path.join(`/${stateDir}`, 'projects', project, 'jobs', job, 'launchd.out.log'),
          );
          expect(a.content).not.toContain('EnvironmentVariables');
        },
      ),
      { numRuns: 300 },
    );
  });

  it.skipIf(!hasPlistutil)('random paths survive plistutil unchanged', () => {
    fc.assert(
      fc.property(name, nasty, (job, nodeDir) => {
        const ctx = { ...MAC_CTX, nodePath: `/${nodeDir}/node`, schedBin: `/${nodeDir}/run.js` };
        const a = renderLaunchdJob(makeJob({ name: job }), ctx);
        const { viaBinary } = plistutilRoundTrip(a.content);
        expect(viaBinary).toBe(stripOwnershipComment(a.content));
        expect(parseLaunchdPlist(viaBinary).programArguments).toEqual(
          runInvocation(ctx, 'launchd', 'billing', job),
        );
      }),
      { numRuns: 40 },
    );
  });
});
