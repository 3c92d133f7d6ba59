/**
 * Rendering: golden unit files, `systemd-analyze verify` on every rendered unit, escaping
 * properties (parse∘render = identity) and the checks that refuse what systemd cannot do exactly.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentHash, parseOwnership } from '../../../src/backends/header.js';
import { runInvocation } from '../../../src/backends/invocation.js';
import {
  parseServiceUnit,
  parseTimerUnit,
  splitHeader,
  splitWords,
} from '../../../src/backends/systemd/parse.js';
import {
  checkSystemdJob,
  renderExecStart,
  renderSystemdJob,
  quoteWord,
  serviceArgv,
} from '../../../src/backends/systemd/render.js';
import { InexpressibleError } from '../../../src/errors.js';
import type { Job } from '../../../src/model/job.js';
import { renderWakeListener, wakeListenerName } from '../../../src/backends/systemd/wake-unit.js';
import { expectGoldenDir } from '../../helpers/golden.js';
import { CTX, makeJob, NOW } from './fixtures.js';

const run = promisify(execFile);
const GOLDEN = path.resolve(__dirname, '../../golden/systemd');
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
if (!ANALYZE)
  console.warn('SKIP systemd-analyze verify: systemd-analyze not found (install the Debian package systemd)');

/** Cases for golden files: one folder each, holding the rendered units. */
const CASES: Record<string, { job: Job; scope?: 'user' | 'system' }> = {
  'basic-cron': { job: makeJob() },
  'dom-or-dow': {
    job: makeJob({
      name: 'payroll',
      description: 'Payroll run (100% of staff)',
      schedule: { kind: 'cron', expr: '30 2 1,15 * mon-fri', source: '30 2 1,15 * mon-fri' },
      catchUp: true,
      jitterSeconds: 300,
    }),
  },
  'env-and-file': {
    job: makeJob({
      name: 'sync',
      schedule: { kind: 'cron', expr: '*/15 9-17 * * 1-5', source: '*/15 9-17 * * 1-5' },
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        GREETING: 'say "hi" for 50% of $USER\\n',
        UNICODE: 'Grüße ✓',
      },
      envFile: '/srv/billing/.env.sync',
      workingDir: '/srv/billing/100% work',
      timezone: 'UTC',
    }),
  },
  'one-shot': {
    job: makeJob({
      name: 'year-end',
      schedule: { kind: 'at', local: '2026-12-31 09:00', source: '2026-12-31 09:00' },
      catchUp: true,
    }),
  },
  'boot-user': {
    job: makeJob({ name: 'warm-cache', schedule: { kind: 'event', event: 'boot', source: 'boot' } }),
  },
  'boot-system': {
    job: makeJob({ name: 'warm-cache', schedule: { kind: 'event', event: 'boot', source: 'boot' } }),
    scope: 'system',
  },
  'wake-user': {
    job: makeJob({ name: 'resync', schedule: { kind: 'event', event: 'wake', source: 'wake' } }),
  },
  'overlap-allow': {
    job: makeJob({
      name: 'fan-out',
      overlap: 'allow',
      schedule: { kind: 'cron', expr: '*/5 * * * *', source: '*/5 * * * *' },
      env: { MODE: 'fast 100%', TOKEN_HINT: 'see $HOME' },
      envFile: '/srv/billing/.env fan',
    }),
  },
  'overlap-queue-system': {
    job: makeJob({ name: 'queued', overlap: 'queue' }),
    scope: 'system',
  },
  'weird-paths': {
    job: makeJob({ name: 'odd' }),
  },
};

const WEIRD_CTX = {
  ...CTX,
  nodePath: '/opt/node 20/bin/node',
  schedBin: '/opt/it\'s "sched"/100%/$HOME/back\\slash/run.js',
};

function renderCase(name: string): ReturnType<typeof renderSystemdJob> {
  const c = CASES[name]!;
  return renderSystemdJob(c.job, name === 'weird-paths' ? WEIRD_CTX : CTX, c.scope ?? 'user', NOW);
}

describe('golden unit files', () => {
  for (const name of Object.keys(CASES)) {
    it(name, async () => {
      const artifacts = renderCase(name);
      expect(artifacts.map((a) => a.kind)).toEqual(['service', 'timer']);
      expectGoldenDir(path.join(GOLDEN, name), Object.fromEntries(artifacts.map((a) => [a.id, a.content])));
      for (const a of artifacts) {
        // The header names the project, the job and the hash of the body it heads.
        const { ownership, body } = splitHeader(a.content);
        expect(ownership).toEqual({
          project: 'billing',
          job: CASES[name]!.job.name,
          hash: a.hash,
        });
        expect(contentHash(body)).toBe(a.hash);
        expect(parseOwnership(a.content)?.hash).toBe(a.hash);
      }
    });
  }

  it('renders byte-stable output', () => {
    expect(renderCase('env-and-file')).toEqual(renderCase('env-and-file'));
  });

  it('reads back what it wrote', () => {
    const [svc, tmr] = renderCase('dom-or-dow');
    const s = parseServiceUnit(svc!.content);
    expect(s.execStart).toEqual(runInvocation(CTX, 'systemd', 'billing', 'payroll'));
    expect(s.type).toBe('oneshot');
    expect(s.description).toBe('sched billing/payroll: Payroll run (100% of staff)');
    const t = parseTimerUnit(tmr!.content);
    expect(t.onCalendar).toEqual([
      'Mon..Fri *-*-* 02:30:00 Europe/Berlin',
      '*-*-01,15 02:30:00 Europe/Berlin',
    ]);
    expect(t.persistent).toBe(true);
    expect(t.accuracySec).toBe('1s');
    expect(t.randomizedDelaySec).toBe('300s');
    expect(t.unit).toBe('sched-billing-payroll.service');
    expect(t.wantedBy).toEqual(['timers.target']);
    const w = parseServiceUnit(renderCase('weird-paths')[0]!.content);
    expect(w.execStart).toEqual(runInvocation(WEIRD_CTX, 'systemd', 'billing', 'odd'));
    const e = parseServiceUnit(renderCase('env-and-file')[0]!.content);
    expect(e.environment).toEqual(CASES['env-and-file']!.job.env);
    expect(e.workingDirectory).toBe('/srv/billing/100% work');
    // Issue 12.17: the unit does not depend on the env_file (sched run reads it and records a failure).
    expect(e.environmentFile).toBeUndefined();
  });

  it('runs non-skip overlap policies through a systemd-run launcher', () => {
    const s = parseServiceUnit(renderCase('overlap-allow')[0]!.content);
    const job = CASES['overlap-allow']!.job;
    expect(s.execStart).toEqual([
      '/usr/bin/systemd-run',
      '--user',
      '--collect',
      '--no-block',
      '--quiet',
      '--description=sched billing/fan-out run',
      '--working-directory=/srv/billing',
      '--setenv=MODE',
      '--setenv=TOKEN_HINT',
      '--',
      ...runInvocation(CTX, 'systemd', 'billing', 'fan-out'),
    ]);
    expect(s.environment).toEqual(job.env);
    expect(parseServiceUnit(renderCase('overlap-queue-system')[0]!.content).execStart[1]).toBe('--collect');
    // The transient unit's command line goes through `$` substitution once more: doubled.
    const weird = serviceArgv({ ...job, overlap: 'queue' }, WEIRD_CTX, 'user');
    expect(weird.slice(weird.indexOf('--') + 1)).toEqual(
      runInvocation(WEIRD_CTX, 'systemd', 'billing', 'fan-out').map((a) => a.split('$').join('$$')),
    );
  });

  it('renders nothing for a disabled job', () => {
    expect(renderSystemdJob(makeJob({ enabled: false }), CTX, 'user', NOW)).toEqual([]);
  });
});

const WAKE_JOB = makeJob({ name: 'resync', schedule: { kind: 'event', event: 'wake', source: 'wake' } });

/** The project's wake listener: one golden folder per scope/context. */
const WAKE_CASES: Record<string, () => ReturnType<typeof renderWakeListener>> = {
  'wake-listener-user': () =>
    renderWakeListener(
      'billing',
      [WAKE_JOB, makeJob({ name: 'announce', schedule: { kind: 'event', event: 'wake', source: 'wake' } })],
      CTX,
      'user',
    ),
  'wake-listener-system': () =>
    renderWakeListener('billing', [WAKE_JOB], { ...CTX, explicitStateDir: '/var/lib/sched 100%' }, 'system'),
};

describe('the wake listener unit', () => {
  for (const [name, render] of Object.entries(WAKE_CASES)) {
    it(`golden: ${name}`, async () => {
      const artifacts = render();
      expect(artifacts.map((a) => [a.id, a.job, a.kind])).toEqual([
        [wakeListenerName('billing'), '', 'wake listener'],
      ]);
      const a = artifacts[0]!;
      expectGoldenDir(path.join(GOLDEN, name), { [a.id]: a.content });
      const { ownership, body } = splitHeader(a.content);
      expect(ownership).toEqual({ project: 'billing', job: '', hash: a.hash });
      expect(contentHash(body)).toBe(a.hash);
    });
  }

  it('lists the enabled wake jobs after `--`, and is absent without them', () => {
    const paused = makeJob({
      name: 'paused',
      enabled: false,
      schedule: { kind: 'event', event: 'wake', source: 'wake' },
    });
    const [unit] = renderWakeListener('billing', [makeJob(), WAKE_JOB, paused], CTX, 'user');
    const exec = parseServiceUnit(unit!.content).execStart;
    expect(exec).toEqual([CTX.nodePath, CTX.schedBin, 'wake-listen', '--project', 'billing', '--', 'resync']);
    expect(renderWakeListener('billing', [makeJob(), paused], CTX, 'user')).toEqual([]);
  });

  it('renders the wake job itself like a boot job: its timer fires at start', () => {
    const [, timer] = renderSystemdJob(WAKE_JOB, CTX, 'user', NOW);
    expect(parseTimerUnit(timer!.content).onStartupSec).toBe('0');
    const [, systemTimer] = renderSystemdJob(WAKE_JOB, CTX, 'system', NOW);
    expect(parseTimerUnit(systemTimer!.content).onBootSec).toBe('0');
  });
});

describe('checks', () => {
  it('refuses paths systemd cannot hold exactly', () => {
    expect(checkSystemdJob(makeJob({ workingDir: '/srv/a\\' }), CTX).join()).toMatch(/working_dir/);
    expect(checkSystemdJob(makeJob({ workingDir: '/srv//a' }), CTX).join()).toMatch(/non-normalised/);
    expect(checkSystemdJob(makeJob({ workingDir: 'srv' }), CTX).join()).toMatch(/absolute/);
    expect(checkSystemdJob(makeJob(), { ...CTX, nodePath: '/opt/"x"/node' }).join()).toMatch(/quotes/);
    expect(checkSystemdJob(makeJob(), { ...CTX, nodePath: '/opt/$x/node' }).join()).toMatch(/'\$'/);
  });

  it('refuses newlines in env and bad env names; accepts wake (the listener runs it on resume)', () => {
    const wake = makeJob({ schedule: { kind: 'event', event: 'wake', source: 'wake' } });
    expect(checkSystemdJob(wake, CTX)).toEqual([]);
    const problems = checkSystemdJob(makeJob({ overlap: 'queue', env: { A: 'x\ny', '1BAD': 'v' } }), CTX);
    expect(problems.join('\n')).toMatch(/env 'A' contains a newline/);
    expect(problems.join('\n')).toMatch(/env name '1BAD'/);
    expect(() => renderSystemdJob(makeJob({ env: { 'A-B': '1' } }), CTX, 'user', NOW)).toThrow(
      InexpressibleError,
    );
    expect(checkSystemdJob(makeJob({ overlap: 'queue' }), CTX)).toEqual([]);
    expect(checkSystemdJob(makeJob(), CTX)).toEqual([]);
  });
});

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_G = /[\u0000-\u001f\u007f]/g;

// Words that exercise every escape: quotes, %, $, backslashes, spaces, newlines, tabs, unicode.
const nastyChar = fc.constantFrom(
  '"',
  "'",
  '%',
  '$',
  '\\',
  ' ',
  '\n',
  '\t',
  ';',
  '`',
  'é',
  '✓',
  '𝄞',
  'a',
  'Z',
  '0',
  '{',
  '}',
  '=',
  '#',
);
const nastyString = fc.oneof(
  fc.string({ unit: nastyChar, maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

describe('escaping properties (parse∘render = identity)', () => {
  it('ExecStart words', () => {
    fc.assert(
      fc.property(
        fc.array(
          nastyString.filter((s) => !s.includes('\0')),
          { minLength: 1, maxLength: 6 },
        ),
        (argv) => {
          expect(splitWords(renderExecStart(argv), true)).toEqual(argv);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('whole service units: env values, paths, ExecStart', () => {
    const envValue = nastyString.filter((s) => !CONTROL.test(s));
    // Paths systemd can hold exactly (see checkSystemdJob): no backslash or controls, normalised.
    const pathLike = nastyString
      .map((s) => '/srv/' + s)
      .filter(
        (p) =>
          !CONTROL.test(p) &&
          !p.includes('\\') &&
          p.trim() === p &&
          path.posix.normalize(p) === p &&
          !p.endsWith('/'),
      );
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), envValue, { maxKeys: 5 }),
        pathLike,
        pathLike,
        fc.string({ unit: nastyChar, maxLength: 15 }),
        (env, wd, bin, desc) => {
          const job = makeJob({
            env,
            workingDir: wd,
            envFile: wd + '/.env',
            description: desc.replace(/\s/g, 'x').replace(CONTROL_G, 'x') || undefined,
          });
          const ctx = { ...CTX, schedBin: bin };
          expect(checkSystemdJob(job, ctx)).toEqual([]);
          const svc = parseServiceUnit(renderSystemdJob(job, ctx, 'user', NOW)[0]!.content);
          expect(svc.environment).toEqual(env);
          expect(svc.workingDirectory).toBe(wd);
          expect(svc.environmentFile).toBeUndefined();
          expect(svc.execStart).toEqual(serviceArgv(job, ctx, 'user'));
          const launched = { ...job, overlap: 'allow' as const };
          expect(
            parseServiceUnit(renderSystemdJob(launched, ctx, 'user', NOW)[0]!.content).execStart,
          ).toEqual(serviceArgv(launched, ctx, 'user'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('quoteWord never leaves a raw newline or an unescaped specifier', () => {
    fc.assert(
      fc.property(nastyString, (s) => {
        const q = quoteWord(s, true);
        expect(q).not.toMatch(/\n/);
        expect(q.replace(/%%/g, '')).not.toMatch(/%/);
        expect(q.replace(/\$\$/g, '')).not.toMatch(/\$/);
      }),
    );
  });
});

describe.skipIf(!ANALYZE)('systemd-analyze verify accepts every rendered unit', () => {
  it('verifies all golden cases (ExecStart pointing at an existing binary)', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'sched-verify-'));
    try {
      // verify checks that the executable exists: use a real copy at a path with spaces, quotes and %.
      const weirdDir = path.join(root, 'bin dir 100%');
      await mkdir(weirdDir, { recursive: true });
      const nodeCopy = path.join(weirdDir, 'node');
      await copyFile('/bin/true', nodeCopy);
      await chmod(nodeCopy, 0o755);
      // A working directory with quotes, spaces and % (allowed there, unlike in the executable).
      const wd = path.join(root, 'work dir\'s "q" 50%');
      await mkdir(wd);
      const units = path.join(root, 'units');
      await mkdir(units);
      const names: string[] = [];
      for (const name of Object.keys(CASES)) {
        const c = CASES[name]!;
        const job = {
          ...c.job,
          name: `${c.job.name}-${name}`.slice(0, 63),
          workingDir: wd,
          envFile: c.job.envFile ? path.join(wd, 'env file') : undefined,
        };
        for (const a of renderSystemdJob(
          job,
          { ...CTX, nodePath: nodeCopy, schedBin: WEIRD_CTX.schedBin },
          c.scope ?? 'user',
          NOW,
        )) {
          await writeFile(path.join(units, a.id), a.content);
          names.push(path.join(units, a.id));
        }
      }
      for (const a of renderWakeListener('billing', [WAKE_JOB], { ...CTX, nodePath: nodeCopy }, 'user')) {
        await writeFile(path.join(units, a.id), a.content);
        names.push(path.join(units, a.id));
      }
      await writeFile(path.join(wd, 'env file'), 'A=1\n');
      const result = await run(ANALYZE!, ['verify', '--man=no', ...names], {
        env: { ...process.env, SYSTEMD_LOG_LEVEL: 'notice' },
      }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      // Lines about the host (not our units) are not our concern; every line naming our units is.
      const ours = result.stderr.split('\n').filter((l) => l.includes('sched-billing-'));
      expect(ours).toEqual([]);
      expect(result.code).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
