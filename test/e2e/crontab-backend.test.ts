/**
 * The crontab backend against the real `crontab` (Debian package cron) of a throw-away user whose
 * crontab is full of foreign lines: every byte outside sched's block must survive every step.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCron } from '../../src/schedule/cron.js';
import type { Artifact, ArtifactChange, InstalledArtifact, RenderContext } from '../../src/backends/types.js';
import type { Job } from '../../src/model/job.js';
import { NodeRunner } from '../../src/platform/node.js';
import {
  CrontabBackend,
  CrontabMarkerError,
  MAX_COMMAND_BYTES,
  cronCommand,
} from '../../src/backends/crontab/index.js';
import { type CronUser, createCronUser, cronUserSkipReason } from './helpers/cron-user.js';

const skip = cronUserSkipReason();
if (skip) console.warn(`[skip] real-crontab e2e tests: ${skip}`);

const PROJECT = 'e2e';
const ctx: RenderContext = {
  nodePath: process.execPath,
  schedBin: "/opt/sched's tools/50%\\bin/run.js",
  stateDir: '/tmp/sched-state',
  hostTimezone: 'Europe/Istanbul',
  homeDir: '/tmp',
};

/** Comments, env lines, blank lines, tabs, trailing blanks, `%`, another project's block, no final newline. */
const FOREIGN = [
  'MAILTO=""',
  'SHELL=/bin/bash',
  'PATH=/usr/local/bin:/usr/bin:/bin',
  '',
  '# m h  dom mon dow   command',
  '30 3 * * *\ttar czf /backup/home-$(date +\\%F).tgz /home   ',
  '*/10 * * * * printf "a\\%b" | mail -s hi root%body line%',
  '\t',
  '',
  '# BEGIN sched other',
  '# sched-managed project=other job=x hash=sha256:0123456789abcdef',
  `0 3 * * * ${process.execPath} /opt/sched/bin/run.js run --project other --trigger crontab x`,
  '# END sched other',
  '@reboot echo up # trailing comment',
  '# the end, without a final newline',
].join('\n');

function job(name: string, over: Partial<Job> = {}): Job {
  return {
    project: PROJECT,
    name,
    schedule: { kind: 'cron', expr: '0 2 * * *', source: '0 2 * * *' },
    command: { argv: ['echo', 'hi'] },
    workingDir: '/tmp',
    env: {},
    timezone: ctx.hostTimezone,
    overlap: 'skip',
    catchUp: true,
    retries: { max: 0, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
    ...over,
  };
}

/** What the plan engine does, in miniature: desired vs installed by id and hash. */
function reconcile(desired: Artifact[], installed: InstalledArtifact[]): ArtifactChange[] {
  const have = new Map(installed.map((a) => [a.id, a]));
  const want = new Map(desired.map((a) => [a.id, a]));
  const changes: ArtifactChange[] = [];
  for (const a of desired) {
    const b = have.get(a.id);
    if (!b) changes.push({ action: 'create', id: a.id, job: a.job, kind: a.kind, after: a });
    else if (b.recordedHash !== a.hash || b.actualHash !== a.hash)
      changes.push({ action: 'update', id: a.id, job: a.job, kind: a.kind, before: b, after: a });
  }
  for (const b of installed)
    if (!want.has(b.id)) changes.push({ action: 'delete', id: b.id, job: b.job, kind: b.kind, before: b });
  return changes;
}

describe.skipIf(skip !== undefined)('crontab backend on the real crontab', () => {
  let user: CronUser;
  let backend: CrontabBackend;

  beforeAll(() => {
    user = createCronUser();
    backend = new CrontabBackend({ runner: new NodeRunner(), user: user.name });
  });
  afterAll(() => user?.remove());

  function desired(jobs: Job[]): Artifact[] {
    for (const j of jobs) expect(backend.check(j, ctx)).toEqual([]);
    return [...backend.renderProject(PROJECT, jobs, ctx), ...jobs.flatMap((j) => backend.render(j, ctx))];
  }

  async function converge(jobs: Job[]): Promise<void> {
    await backend.apply(PROJECT, reconcile(desired(jobs), await backend.readInstalled(PROJECT)));
    // Converged: a second plan has nothing to do.
    expect(reconcile(desired(jobs), await backend.readInstalled(PROJECT))).toEqual([]);
  }

  /** The crontab with our block cut out must be exactly `foreign` (+ the newline sched put before an appended block). */
  function expectForeignIntact(foreign: string): string {
    const text = user.read() ?? '';
    const begin = text.indexOf(`# BEGIN sched ${PROJECT}\n`);
    expect(begin).toBeGreaterThan(0);
    expect(text.slice(0, begin)).toBe(foreign.endsWith('\n') ? foreign : `${foreign}\n`);
    expect(text.endsWith(`# END sched ${PROJECT}`)).toBe(true);
    return text.slice(begin);
  }

  let jobs: Job[];
  let foreign = FOREIGN;

  it('starts from a crontab full of foreign lines, read back byte for byte', () => {
    user.write(FOREIGN);
    expect(user.read()).toBe(FOREIGN);
  });

  it('applies 3 jobs; the foreign bytes are identical and the real crontab accepted the block', async () => {
    jobs = [
      job('alpha', { description: 'Alpha: 100% of the "work" \\ done' }),
      job('beta', { schedule: { kind: 'cron', expr: '@daily', source: '@daily' } }),
      job('gamma', { schedule: { kind: 'event', event: 'boot', source: 'boot' } }),
    ];
    await converge(jobs);
    const block = expectForeignIntact(foreign);
    expect(block).toContain("'/opt/sched'\\\\''s tools/50\\%\\\\bin/run.js'");
    const installed = await backend.readInstalled(PROJECT);
    expect(installed.map((a) => a.id).sort()).toEqual([
      'crontab:@catch-up',
      'crontab:alpha',
      'crontab:beta',
      'crontab:gamma',
    ]);
    for (const a of installed) expect(a).toMatchObject({ registered: true, actualHash: a.recordedHash });
  });

  it('updates one job', async () => {
    jobs = [
      job('alpha', { schedule: { kind: 'cron', expr: '*/15 9-17 * * 1-5', source: '' } }),
      jobs[1]!,
      jobs[2]!,
    ];
    await converge(jobs);
    expect(expectForeignIntact(foreign)).toContain('\n*/15 9-17 * * 1-5 ');
  });

  it('does not count a foreign line added by hand outside the block as drift', async () => {
    const before = await backend.readInstalled(PROJECT);
    user.write(`# added by hand\n5 5 * * * echo hand\n${user.read()!}`);
    foreign = `# added by hand\n5 5 * * * echo hand\n${foreign}`;
    expect(await backend.readInstalled(PROJECT)).toEqual(before);
    expectForeignIntact(foreign);
  });

  it('shows a hand edit inside the block as drift and repairs it', async () => {
    const text = user.read()!;
    user.write(text.replace('@daily', '@hourly'));
    const beta = (await backend.readInstalled(PROJECT)).find((a) => a.id === 'crontab:beta')!;
    expect(beta.actualHash).not.toBe(beta.recordedHash);
    expect(
      reconcile(desired(jobs), await backend.readInstalled(PROJECT)).map((c) => `${c.action} ${c.id}`),
    ).toEqual(['update crontab:beta']);
    await converge(jobs);
    expect(user.read()).toBe(text);
  });

  it('deletes one job', async () => {
    jobs = [jobs[0]!, jobs[2]!];
    await converge(jobs);
    const block = expectForeignIntact(foreign);
    expect(block).not.toContain(' beta');
    expect((await backend.readInstalled(PROJECT)).map((a) => a.id).sort()).toEqual([
      'crontab:@catch-up',
      'crontab:alpha',
      'crontab:gamma',
    ]);
  });

  it('destroys everything: exactly the foreign bytes are left', async () => {
    await backend.apply(PROJECT, reconcile([], await backend.readInstalled(PROJECT)));
    expect(user.read()).toBe(foreign);
    expect(await backend.readInstalled(PROJECT)).toEqual([]);
  });

  it('refuses unbalanced markers and writes nothing', async () => {
    const broken = `${foreign}\n# BEGIN sched ${PROJECT}\n0 1 * * * echo half a block\n`;
    user.write(broken);
    await expect(backend.readInstalled(PROJECT)).rejects.toBeInstanceOf(CrontabMarkerError);
    await expect(backend.apply(PROJECT, reconcile(desired(jobs), []))).rejects.toBeInstanceOf(
      CrontabMarkerError,
    );
    expect(user.read()).toBe(broken);
    user.write(foreign);
  });

  it('keeps Windows line endings and backspaces byte for byte through apply and destroy', async () => {
    const crlf = `MAILTO=""\r\n# saved on Windows\r\n0 1 * * * echo x\r\n# a \\r that is text, a real\b backspace\n`;
    user.write(crlf);
    expect(user.read()).toContain('\\r\n'); // crontab -l escapes the CR: sched must not trust it
    await converge(jobs);
    await backend.apply(PROJECT, reconcile([], await backend.readInstalled(PROJECT)));
    expect(await backend.readCrontab()).toBe(crlf);
    user.write(foreign);
  });

  it('does not pile up crontab header lines when CRONTAB_NOHEADER=N is set', async () => {
    const saved = process.env.CRONTAB_NOHEADER;
    process.env.CRONTAB_NOHEADER = 'N';
    try {
      await converge(jobs);
      await converge([...jobs, job('delta')]);
    } finally {
      if (saved === undefined) delete process.env.CRONTAB_NOHEADER;
      else process.env.CRONTAB_NOHEADER = saved;
    }
    expectForeignIntact(foreign);
    await backend.apply(PROJECT, reconcile([], await backend.readInstalled(PROJECT)));
    expect(user.read()).toBe(foreign);
  });

  it('removes the crontab entirely when sched was all there was', async () => {
    user.write('');
    await converge(jobs);
    await backend.apply(PROJECT, reconcile([], await backend.readInstalled(PROJECT)));
    expect(user.read()).toBeUndefined();
  });

  it('agrees with the real crontab on the command length limit (MAX_COMMAND_BYTES)', () => {
    const base = cronCommand([
      ctx.nodePath,
      '/',
      'run',
      '--project',
      PROJECT,
      '--trigger',
      'crontab',
      'a',
    ]).length;
    const at = (extra: number): RenderContext => ({
      ...ctx,
      schedBin: '/' + 'x'.repeat(MAX_COMMAND_BYTES - base + extra),
    });
    const line = (c: RenderContext): string =>
      `0 1 * * * ${cronCommand([c.nodePath, c.schedBin, 'run', '--project', PROJECT, '--trigger', 'crontab', 'a'])}\n`;
    expect(backend.check(job('a'), at(0))).toEqual([]);
    expect(user.tryWrite(line(at(0))).exitCode).toBe(0);
    expect(backend.check(job('a'), at(1))).toHaveLength(1);
    const refused = user.tryWrite(line(at(1)));
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/errors in crontab file/);
  });

  it('writes lines the real crontab accepts for every expression the schedule engine accepts', () => {
    const num = (max: number) => fc.integer({ min: 0, max });
    const atom = (max: number, names: string[]) =>
      fc.oneof(
        num(max).map(String),
        fc.constantFrom(...names),
        fc.tuple(num(max), num(max)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc
          .tuple(num(max), num(max), fc.integer({ min: 1, max: max + 1 }))
          .map(([a, b, st]) => `${Math.min(a, b)}-${Math.max(a, b)}/${st}`),
        fc.integer({ min: 1, max: max + 1 }).map((st) => `*/${st}`),
      );
    const field = (max: number, names: string[] = ['*']) =>
      fc.oneof(
        fc.constant('*'),
        atom(max, names),
        fc.array(atom(max, names), { minLength: 2, maxLength: 4 }).map((l) => l.join(',')),
      );
    const months = ['jan', 'Feb', 'MAR', 'jun-aug', 'nov-dec'];
    const days = ['sun', 'Mon', 'FRI', 'mon-fri', 'sat-sun'];
    const expr = fc.oneof(
      fc.tuple(field(59), field(23), field(31), field(12, months), field(7, days)).map((f) => f.join(' ')),
      fc.constantFrom('@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'),
    );
    const accepted = fc.sample(expr, { numRuns: 400, seed: 20261122 }).filter((e) => {
      try {
        parseCron(e);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted.length).toBeGreaterThan(100);
    const lines = accepted.map((e, i) => {
      const j = job(`j${i}`, { schedule: { kind: 'cron', expr: e, source: e } });
      expect(backend.check(j, ctx)).toEqual([]);
      const a = backend.render(j, ctx)[0]!;
      return a.content.split('\n')[1]!;
    });
    const all = user.tryWrite(`${lines.join('\n')}\n`);
    if (all.exitCode !== 0) {
      // Name the lines crontab refuses, one by one.
      const refused = lines.filter((l) => user.tryWrite(`${l}\n`).exitCode !== 0);
      expect(refused).toEqual([]);
    }
    expect(all.stderr).toBe('');
    expect(all.exitCode).toBe(0);
    expect(user.read()).toBe(`${lines.join('\n')}\n`);
  });
});
