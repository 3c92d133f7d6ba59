/**
 * Lost updates under concurrency, end to end: the compiled CLI against the real crontab of a
 * throw-away user.
 * - issue 11.3: an apply waiting at its prompt holds the project's lock; a second apply is
 *   refused naming it, or waits with --lock-timeout; a late "yes" to an out-of-date plan changes
 *   nothing, and the newer apply lands.
 * - issue 12.4: two projects applying to one crontab at the same moment (writes slowed by a
 *   crontab shim so that both read before either writes) both land, every round.
 * - issue 12.5: an apply whose reading of the host is slow (a crontab shim answers late) and a
 *   newer apply of the project started meanwhile: the result is exactly the newer file, never
 *   the union (the lock is taken before the host is read, and the plan re-checked under it).
 * - issue 11.6: at the prompt, "no", Ctrl-C and Ctrl-D cancel with exit 1, 130 and 1, one line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, SCHED_BIN, sched } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';
import { delayCrontabReads, delayCrontabWrites } from '../reliability/tools/delay-crontab-writes.js';
import {
  promptSkipReason,
  startPromptSession,
  type PromptSession,
} from '../reliability/tools/prompt-session.js';

const skip = cronUserSkipReason() ?? cliSkipReason() ?? promptSkipReason();
if (skip) console.warn(`[skip] e2e apply locks on the real crontab: ${skip}`);

/** schedules.yaml of `project` with jobs name → minute. */
function yaml(project: string, jobs: Record<string, number>): string {
  const body = Object.entries(jobs)
    .map(
      ([name, minute]) => `  ${name}:\n    schedule: "${minute} * * * *"\n    command: ["echo", "${name}"]\n`,
    )
    .join('');
  return `version: 1\nproject: ${project}\nbackend: crontab\njobs:\n${body}`;
}

/** The jobs of a project's block in a crontab, as name → minute field. */
function jobsIn(crontab: string | undefined, project: string): Record<string, string> {
  const out: Record<string, string> = {};
  const block =
    crontab?.match(new RegExp(`# BEGIN sched ${project}\\n([\\s\\S]*?)# END sched ${project}`))?.[1] ?? '';
  for (const line of block.split('\n')) {
    const m = line.match(/^(\S+) \S+ \S+ \S+ \S+ .* --trigger crontab ([a-z0-9][a-z0-9-]*)$/);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

async function until<T>(what: string, ms: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(skip)('apply locks on the real crontab of a throw-away user', () => {
  let user: CronUser;
  let env: Record<string, string>;
  const sessions: PromptSession[] = [];
  const shimDir = fs.mkdtempSync(path.join(tmpdir(), 'sched-slow-crontab-'));
  const lateReadDir = fs.mkdtempSync(path.join(tmpdir(), 'sched-late-crontab-'));

  beforeAll(() => {
    user = createCronUser();
    delayCrontabWrites(shimDir, 0.4);
    delayCrontabReads(lateReadDir, 3);
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: user.home,
      USER: user.name,
      LOGNAME: user.name,
      NO_COLOR: '1',
      TZ: 'UTC',
    };
  });
  afterAll(() => {
    for (const s of sessions) s.kill();
    user?.remove();
    fs.rmSync(shimDir, { recursive: true, force: true });
    fs.rmSync(lateReadDir, { recursive: true, force: true });
  });

  const as = () => execAs(user);
  const file = (name: string) => path.join(user.home, name);
  const write = (name: string, text: string) => user.writeOwned(file(name), text);
  const prompt = (args: string[]) => {
    const s = startPromptSession({ args, env, cwd: user.home, user });
    sessions.push(s);
    return s;
  };
  /** `sched …` as the user, its output watched while it runs. */
  function background(args: string[], extraEnv: Record<string, string> = {}) {
    const child = spawn(process.execPath, [SCHED_BIN, ...args], {
      cwd: user.home,
      uid: user.uid,
      gid: user.gid,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const done = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    return { output: () => out, done };
  }

  it('11.3: a prompt holds the lock; a second apply is refused naming it or waits; a late yes changes nothing', async () => {
    const P = 'e2e-late-yes';
    write('late.yaml', yaml(P, { one: 1 }));
    const v0 = await sched(as(), ['apply', '--auto-approve', '-f', file('late.yaml')]);
    expect(v0.exitCode, v0.stderr).toBe(0);

    write('late.yaml', yaml(P, { one: 11 })); // v1: terminal 1 shows this plan and waits
    const t1 = prompt(['apply', '-f', file('late.yaml')]);
    await t1.atPrompt();
    expect(t1.output()).toMatch(/~ one/);

    write('late.yaml', yaml(P, { one: 22 })); // v2: terminal 2
    const refused = await sched(as(), ['apply', '--auto-approve', '-f', file('late.yaml')]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `Error: the apply lock of project ${P} is held by another sched process: pid \\d+ on \\S+ \\(user ${user.name}, since \\d{4}-\\d\\d-\\d\\dT[^,]+, \`sched apply -f [^\`]+\`\\)`,
      ),
    );
    expect(refused.stderr).toMatch(/--lock-timeout/);
    expect(jobsIn(user.read(), P)).toEqual({ one: '1' });

    const waiter = background(['apply', '--auto-approve', '--lock-timeout', '2m', '-f', file('late.yaml')]);
    await until(`the waiting notice\n${waiter.output()}`, 20_000, () =>
      /Waiting up to 120 s for the apply lock/.test(waiter.output()),
    );

    t1.answer('yes'); // the late yes, to a plan of v1
    expect(await t1.exit()).toBe(1);
    expect(t1.output()).toMatch(/late\.yaml changed since this plan was made; nothing was changed/);
    expect(jobsIn(user.read(), P).one).not.toBe('11'); // v1 never lands

    expect(await waiter.done, waiter.output()).toBe(0);
    expect(waiter.output()).toMatch(/Apply complete: 0 added, 1 changed/);
    expect(jobsIn(user.read(), P)).toEqual({ one: '22' });
    const plan = await sched(as(), ['plan', '--detailed-exitcode', '-f', file('late.yaml')]);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
  }, 120_000);

  it('11.6: no, Ctrl-C and Ctrl-D at the prompt cancel with 1, 130 and 1 and release the lock', async () => {
    const P = 'e2e-prompt';
    write('prompt.yaml', yaml(P, { one: 5 }));
    const cases: Array<[string, (s: PromptSession) => void, number, RegExp]> = [
      ['no', (s) => s.answer('no'), 1, /^Apply cancelled\.\r?$/m],
      ['ctrl-c', (s) => s.ctrlC(), 130, /Apply cancelled \(interrupted\): nothing was changed\./],
      ['ctrl-d', (s) => s.ctrlD(), 1, /Apply cancelled \(no answer: end of input\): nothing was changed\./],
    ];
    for (const [name, act, code, line] of cases) {
      const s = prompt(['apply', '-f', file('prompt.yaml')]);
      await s.atPrompt();
      act(s);
      expect(await s.exit(), `${name}\n${s.output()}`).toBe(code);
      expect(s.output(), name).toMatch(line);
      expect(s.output(), name).not.toMatch(/bug in sched|unexpected error|\n\s+at /);
      expect(user.read() ?? '', name).not.toMatch(new RegExp(`BEGIN sched ${P}`));
    }
    const ok = await sched(as(), ['apply', '--auto-approve', '-f', file('prompt.yaml')]);
    expect(ok.exitCode, ok.stderr).toBe(0); // no lock left behind
    const d = prompt(['destroy', '-f', file('prompt.yaml')]);
    await d.atPrompt();
    d.answer('nope');
    expect(await d.exit()).toBe(1);
    expect(d.output()).toMatch(/^Destroy cancelled\.\r?$/m);
    expect(jobsIn(user.read(), P)).toEqual({ one: '5' });
  }, 120_000);

  it('12.4: two projects applying to one crontab at once both land, every round', async () => {
    const rounds = 6;
    let lost = 0;
    const slow = { PATH: `${shimDir}:${env.PATH}` };
    for (let round = 1; round <= rounds; round++) {
      write('a.yaml', yaml('e2e-two-a', { ja: round }));
      write('b.yaml', yaml('e2e-two-b', { jb: round }));
      const [a, b] = [
        background(['apply', '--auto-approve', '-f', file('a.yaml')], slow),
        background(['apply', '--auto-approve', '-f', file('b.yaml')], slow),
      ];
      expect(await a.done, a.output()).toBe(0);
      expect(await b.done, b.output()).toBe(0);
      const now = user.read();
      if (jobsIn(now, 'e2e-two-a').ja !== String(round) || jobsIn(now, 'e2e-two-b').jb !== String(round))
        lost++;
    }
    expect(lost).toBe(0);
  }, 180_000);

  it('12.5: an apply whose host reading is slow, overtaken by a newer apply, never installs the union', async () => {
    const P = 'e2e-plan-late';
    const jobsB = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`b${i}`, i]));
    const jobsA = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`a${i}`, 10 + i]));
    // The first apply (file B) reads the crontab slowly: its plan is out of date by the time it acts.
    write('same.yaml', yaml(P, jobsB));
    const slowFirst = background(['apply', '--auto-approve', '-f', file('same.yaml')], {
      PATH: `${lateReadDir}:${env.PATH}`,
    });
    const reads = path.join(lateReadDir, 'reads');
    await until(
      'the first apply to read the crontab',
      30_000,
      () => fs.readFileSync(reads, 'utf8').length > 0,
    );
    // Meanwhile the file changes to A and A is applied (it waits for the lock when it has to).
    write('same.yaml', yaml(P, jobsA));
    const newer = background(['apply', '--auto-approve', '--lock-timeout', '2m', '-f', file('same.yaml')]);
    const firstCode = await slowFirst.done;
    expect(await newer.done, newer.output()).toBe(0);
    // The first either applied B before A's apply planned, or saw the file change and changed nothing.
    if (firstCode !== 0)
      expect(slowFirst.output()).toMatch(/changed since this plan was made; nothing was changed/);
    expect(jobsIn(user.read(), P)).toEqual(
      Object.fromEntries(Object.entries(jobsA).map(([k, v]) => [k, String(v)])),
    );
    const plan = await sched(as(), ['plan', '--detailed-exitcode', '-f', file('same.yaml')]);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
  }, 120_000);
});
