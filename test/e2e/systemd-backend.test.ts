/**
 * SystemdBackend against a real systemd user manager (test/e2e/helpers/systemd-user.ts): apply
 * three jobs, compare `systemctl --user list-timers --all` with nextFireTimes, watch an
 * every-minute job really fire with its argv, env and working dir intact, detect a hand edit and
 * a disabled timer and repair both, delete a job, destroy the project — and a foreign unit, a
 * hand-written unit with sched's name and another project's units stay byte-identical throughout.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemdBackend } from '../../src/backends/systemd/adapter.js';
import type { Artifact, RenderContext } from '../../src/backends/types.js';
import type { Job } from '../../src/model/job.js';
import { NodeDirFs } from '../../src/platform/node.js';
import { nextFireTimes } from '../../src/schedule/occurrences.js';
import { makeJob, planChanges } from '../backends/systemd/fixtures.js';
import { startSystemdUser, systemdUserSkipReason, type Harness } from './helpers/systemd-user.js';

const skipReason = systemdUserSkipReason();
if (skipReason) console.warn(`SKIP systemd e2e: ${skipReason}`);

const PROJECT = 'e2e';
// Every argument goes through systemd's quoting: quotes, %, $, backslashes, ;, unicode.
const TRICKY_ARG = `it's "quoted" 100% $HOME \${X} back\\slash ; ✓`;
const TRICKY_ENV = `say "hi" 50% $USER \\n back\\slash ✓`;

describe.skipIf(skipReason !== undefined)('SystemdBackend on a real systemd user manager', () => {
  let h: Harness | undefined;
  let startError: string | undefined;
  let backend: SystemdBackend;
  let ctx: RenderContext;
  let outDir: string;
  let workDir: string;
  let jobs: Job[];
  const foreign: Record<string, string> = {};

  beforeAll(async () => {
    try {
      h = await startSystemdUser();
    } catch (e) {
      startError = (e as Error).message;
      console.warn(`SKIP systemd e2e: ${startError}`);
      return;
    }
    // A stand-in for node: records argv (NUL-separated), one env value and the working dir.
    const binDir = path.join(h.root, 'bin dir 100%');
    await mkdir(binDir);
    const fakeNode = path.join(binDir, 'fake-node');
    await writeFile(
      fakeNode,
      [
        '#!/bin/sh',
        'f="$SCHED_E2E_OUT/$7.$(date +%s%N)"',
        ': > "$f.start"',
        'sleep "${SCHED_E2E_SLEEP:-0}"',
        'printf \'%s\\0\' "$0" "$@" > "$f.argv"',
        'printf \'%s\' "$TRICKY" > "$f.env"',
        'printf \'%s\' "$FROM_FILE" > "$f.file"',
        'pwd > "$f.pwd.tmp" && mv "$f.pwd.tmp" "$f.pwd"',
        '',
      ].join('\n'),
    );
    await chmod(fakeNode, 0o755);
    outDir = path.join(h.root, 'out');
    await mkdir(outDir);
    workDir = path.join(h.root, `work dir "q" it's 5%`);
    await mkdir(workDir);
    ctx = {
      nodePath: fakeNode,
      schedBin: TRICKY_ARG,
      stateDir: path.join(h.root, 'state'),
      hostTimezone: 'UTC',
      homeDir: h.home,
    };
    const base = {
      project: PROJECT,
      workingDir: workDir,
      env: { SCHED_E2E_OUT: outDir, TRICKY: TRICKY_ENV },
    };
    const envFile = path.join(h.root, 'env file 1%');
    await writeFile(envFile, 'FROM_FILE=yes it is\n');
    jobs = [
      makeJob({
        ...base,
        name: 'fan-out',
        overlap: 'allow',
        schedule: { kind: 'cron', expr: '0 0 1 1 *', source: '0 0 1 1 *' },
        timezone: 'UTC',
        env: { ...base.env, SCHED_E2E_SLEEP: '4' },
        envFile,
      }),
      makeJob({
        ...base,
        name: 'every-minute',
        schedule: { kind: 'cron', expr: '* * * * *', source: '* * * * *' },
        timezone: 'UTC',
      }),
      makeJob({
        ...base,
        name: 'nightly',
        schedule: { kind: 'cron', expr: '30 2 * * *', source: '30 2 * * *' },
        timezone: 'Europe/Berlin',
        catchUp: true,
      }),
      makeJob({
        ...base,
        name: 'payroll',
        schedule: { kind: 'cron', expr: '30 2 1,15 * 1-5', source: '30 2 1,15 * 1-5' },
        timezone: 'America/New_York',
      }),
    ];
    backend = new SystemdBackend({ runner: h.runner, dir: new NodeDirFs(h.unitDir), scope: 'user' });
    // Things that are not this project's: a foreign unit, a hand-written unit with sched's
    // name (no header), and another project whose name has ours as a prefix.
    const other = new SystemdBackend({ runner: h.runner, dir: new NodeDirFs(h.unitDir), scope: 'user' });
    const otherArtifacts = other.render(makeJob({ ...base, project: `${PROJECT}-x`, name: 'job' }), ctx);
    await other.apply(`${PROJECT}-x`, planChanges([], otherArtifacts));
    foreign['foreign.service'] =
      '[Unit]\nDescription=not sched\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n';
    foreign['foreign.timer'] = '[Timer]\nOnCalendar=weekly\n\n[Install]\nWantedBy=timers.target\n';
    foreign[`sched-${PROJECT}-handmade.timer`] = '[Timer]\nOnCalendar=daily\n';
    for (const [name, text] of Object.entries(foreign)) await writeFile(path.join(h.unitDir, name), text);
    for (const a of otherArtifacts) foreign[a.id] = a.content;
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function expectForeignUntouched(): Promise<void> {
    for (const [name, text] of Object.entries(foreign)) {
      expect(await readFile(path.join(h!.unitDir, name), 'utf8')).toBe(text);
    }
  }

  function wanted(list: Job[]): Artifact[] {
    return list.flatMap((j) => backend.render(j, ctx));
  }

  async function plan(list: Job[]) {
    return planChanges(await backend.readInstalled(PROJECT), wanted(list));
  }

  /** NEXT column of list-timers per unit, as epoch ms (the manager prints UTC: TZ=UTC). */
  async function listTimers(): Promise<Map<string, number | undefined>> {
    const r = await h!.exec('systemctl', ['--user', 'list-timers', '--all', '--no-pager', '--full']);
    expect(r.exitCode).toBe(0);
    const out = new Map<string, number | undefined>();
    for (const line of r.stdout.split('\n')) {
      const unit = /\b(sched-[a-z0-9-]+\.timer)\b/.exec(line)?.[1];
      if (!unit) continue;
      const m = /^\w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/.exec(line);
      out.set(unit, m ? Date.parse(`${m[1]}T${m[2]}Z`) : undefined);
    }
    return out;
  }

  it('applies three jobs; list-timers shows each with next elapse = nextFireTimes', async (c) => {
    if (!h) return c.skip(startError);
    expect(await backend.detect()).toMatchObject({ available: true });
    // No logind here: the lingering check must not fail, just say nothing.
    expect(Array.isArray(await backend.warnings())).toBe(true);
    const changes = await plan(jobs);
    expect(changes.filter((x) => x.action === 'create')).toHaveLength(8);
    expect(changes.every((x) => x.action === 'create')).toBe(true);
    await backend.apply(PROJECT, changes);
    const before = new Date();
    const timers = await listTimers();
    const after = new Date();
    for (const job of jobs) {
      const next = timers.get(`sched-${PROJECT}-${job.name}.timer`);
      const candidates = [before, after].map((t) =>
        nextFireTimes(job.schedule, job.timezone, t, 1)[0]!.getTime(),
      );
      expect(
        candidates,
        `${job.name}: list-timers says ${next === undefined ? 'n/a' : new Date(next).toISOString()}`,
      ).toContain(next);
    }
    // Applying again changes nothing.
    expect(await plan(jobs)).toEqual([]);
    await expectForeignUntouched();
  });

  it('an every-minute job really fires with argv, env and working dir intact', async (c) => {
    if (!h) return c.skip(startError);
    const deadline = Date.now() + 75_000;
    let pwdFile: string | undefined;
    while (Date.now() < deadline && !pwdFile) {
      pwdFile = (await readdir(outDir)).find((f) => f.startsWith('every-minute.') && f.endsWith('.pwd'));
      if (!pwdFile) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pwdFile, 'the every-minute timer did not fire within 75 s').toBeDefined();
    const stem = path.join(outDir, pwdFile!.slice(0, -'.pwd'.length));
    const argv = (await readFile(`${stem}.argv`, 'utf8')).split('\0').slice(0, -1);
    expect(argv).toEqual([
      ctx.nodePath,
      TRICKY_ARG,
      'run',
      '--project',
      PROJECT,
      '--trigger',
      'systemd',
      'every-minute',
    ]);
    expect(await readFile(`${stem}.env`, 'utf8')).toBe(TRICKY_ENV);
    expect((await readFile(`${stem}.pwd`, 'utf8')).trim()).toBe(workDir);
  }, 90_000);

  it('run-now starts a job through systemd', async (c) => {
    if (!h) return c.skip(startError);
    await backend.runNow(PROJECT, 'nightly');
    const deadline = Date.now() + 15_000;
    let found = false;
    while (Date.now() < deadline && !found) {
      found = (await readdir(outDir)).some((f) => f.startsWith('nightly.') && f.endsWith('.pwd'));
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toBe(true);
  });

  it('overlap allow: fires run concurrently through the systemd-run launcher; the env_file is left to sched run', async (c) => {
    if (!h) return c.skip(startError);
    const files = async (suffix: string) =>
      (await readdir(outDir)).filter((f) => f.startsWith('fan-out.') && f.endsWith(suffix));
    const waitFor = async (suffix: string, n: number, ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline && (await files(suffix)).length < n)
        await new Promise((r) => setTimeout(r, 100));
      return (await files(suffix)).length;
    };
    await backend.runNow(PROJECT, 'fan-out');
    expect(await waitFor('.start', 1, 10_000)).toBe(1);
    await backend.runNow(PROJECT, 'fan-out');
    expect(await waitFor('.start', 2, 3_000)).toBe(2);
    // Both started while the first (sleeping 4 s) was still running.
    expect(await files('.pwd')).toHaveLength(0);
    expect(await waitFor('.pwd', 2, 15_000)).toBe(2);
    for (const pwd of await files('.pwd')) {
      const stem = path.join(outDir, pwd.slice(0, -'.pwd'.length));
      expect((await readFile(`${stem}.argv`, 'utf8')).split('\0').slice(0, -1)).toEqual([
        ctx.nodePath,
        TRICKY_ARG,
        'run',
        '--project',
        PROJECT,
        '--trigger',
        'systemd',
        'fan-out',
      ]);
      expect(await readFile(`${stem}.env`, 'utf8')).toBe(TRICKY_ENV);
      // systemd does not read the env_file (a missing one would fail the unit before `sched run`
      // could record it): `sched run` reads it itself, so the stand-in sees none of it.
      expect(await readFile(`${stem}.file`, 'utf8')).toBe('');
      expect((await readFile(`${stem}.pwd`, 'utf8')).trim()).toBe(workDir);
    }
  }, 40_000);

  it('a hand edit and a disabled timer show as drift, and apply repairs both', async (c) => {
    if (!h) return c.skip(startError);
    const svc = path.join(h.unitDir, `sched-${PROJECT}-nightly.service`);
    await writeFile(svc, (await readFile(svc, 'utf8')) + 'Nice=5\n');
    expect(
      (await h.exec('systemctl', ['--user', 'disable', '--now', `sched-${PROJECT}-payroll.timer`])).exitCode,
    ).toBe(0);
    const installed = await backend.readInstalled(PROJECT);
    const edited = installed.find((a) => a.id === `sched-${PROJECT}-nightly.service`)!;
    expect(edited.recordedHash).toBeDefined();
    expect(edited.actualHash).not.toBe(edited.recordedHash);
    expect(installed.find((a) => a.id === `sched-${PROJECT}-payroll.timer`)!.registered).toBe(false);
    const changes = planChanges(installed, wanted(jobs));
    expect(changes.map((x) => `${x.action} ${x.id}`).sort()).toEqual([
      `update sched-${PROJECT}-nightly.service`,
      `update sched-${PROJECT}-payroll.timer`,
    ]);
    await backend.apply(PROJECT, changes);
    expect(await plan(jobs)).toEqual([]);
    expect(
      (await h.exec('systemctl', ['--user', 'is-enabled', `sched-${PROJECT}-payroll.timer`])).stdout.trim(),
    ).toBe('enabled');
    expect(
      (await h.exec('systemctl', ['--user', 'is-active', `sched-${PROJECT}-payroll.timer`])).stdout.trim(),
    ).toBe('active');
    await expectForeignUntouched();
  });

  it('a job removed from the file loses its units; destroy leaves nothing of the project', async (c) => {
    if (!h) return c.skip(startError);
    const remaining = jobs.filter((j) => j.name !== 'payroll');
    const changes = await plan(remaining);
    expect(changes.map((x) => `${x.action} ${x.id}`).sort()).toEqual([
      `delete sched-${PROJECT}-payroll.service`,
      `delete sched-${PROJECT}-payroll.timer`,
    ]);
    await backend.apply(PROJECT, changes);
    expect(existsSync(path.join(h.unitDir, `sched-${PROJECT}-payroll.timer`))).toBe(false);
    expect((await listTimers()).has(`sched-${PROJECT}-payroll.timer`)).toBe(false);
    expect(await plan(remaining)).toEqual([]);

    await backend.apply(PROJECT, await plan([]));
    const left = (await readdir(h.unitDir)).filter((f) => f.startsWith(`sched-${PROJECT}-`)).sort();
    // Only what is not ours: the hand-written unit and project e2e-x's units.
    expect(left).toEqual([
      `sched-${PROJECT}-handmade.timer`,
      `sched-${PROJECT}-x-job.service`,
      `sched-${PROJECT}-x-job.timer`,
    ]);
    const timers = await listTimers();
    expect(
      [...timers.keys()].filter(
        (u) => u.startsWith(`sched-${PROJECT}-`) && !u.startsWith(`sched-${PROJECT}-x-`),
      ),
    ).toEqual([]);
    expect(timers.has(`sched-${PROJECT}-x-job.timer`)).toBe(true);
    await expectForeignUntouched();
  });
});
