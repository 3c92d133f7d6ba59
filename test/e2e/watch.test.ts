/**
 * `sched watch --apply` (the compiled CLI) on the real crontab of a throw-away user (issue 6's
 * "done when"): a save is applied within 2 s; a half-written, an empty and an invalid file change
 * nothing; a save cut at a job boundary deletes nothing (deletions wait for a confirmation);
 * the file can be deleted and re-created;
 * SIGINT ends it within 2 s with exit 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, SCHED_BIN } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e sched watch on the real crontab: ${skip}`);

const PROJECT = 'e2e-watch';

/** schedules.yaml with the given jobs; each job's minute field is its schedule. */
function yaml(jobs: Record<string, number>): string {
  const body = Object.entries(jobs)
    .map(
      ([name, minute]) => `  ${name}:\n    schedule: "${minute} * * * *"\n    command: ["echo", "${name}"]\n`,
    )
    .join('');
  return `# watched by the e2e test\nversion: 1\nproject: ${PROJECT}\nbackend: crontab\njobs:\n${body}`;
}

const ALL = { alpha: 1, beta: 2, gamma: 3, delta: 4 };

/** The jobs of our block in a crontab, as name → minute field. */
function jobsIn(crontab: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const block =
    crontab?.match(new RegExp(`# BEGIN sched ${PROJECT}\\n([\\s\\S]*?)# END sched ${PROJECT}`))?.[1] ?? '';
  for (const line of block.split('\n')) {
    const m = line.match(/^(\S+) \S+ \S+ \S+ \S+ .* --trigger crontab ([a-z0-9][a-z0-9-]*)$/); // not the project-wide catch-up line
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
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)('sched watch --apply on the real crontab of a throw-away user', () => {
  let user: CronUser;
  let uid: number;
  let gid: number;
  let file: string;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  /** Status lines printed so far (`[HH:MM:SS] …`). */
  const statuses = () => stdout.split('\n').filter((l) => /^\[\d\d:\d\d:\d\d\] /.test(l));
  const nextStatus = (n: number) =>
    until(`status line #${n + 1}\n${stdout}\n${stderr}`, 5000, () => statuses()[n]);

  function save(text: string, viaRename = false): void {
    const target = viaRename ? `${file}.tmp` : file;
    writeFileSync(target, text);
    chownSync(target, uid, gid);
    if (viaRename) renameSync(target, file); // what many editors do
  }

  beforeAll(async () => {
    user = createCronUser();
    ({ uid, gid } = user);
    file = path.join(user.home, 'schedules.yaml');
    save(yaml(ALL));
    child = spawn(process.execPath, [SCHED_BIN, 'watch', '--apply', '-f', file], {
      cwd: user.home,
      uid,
      gid,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: user.home,
        USER: user.name,
        LOGNAME: user.name,
        NO_COLOR: '1',
        TZ: 'UTC',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code, signal) => (exit = { code, signal }));
  }, 30_000);

  afterAll(() => {
    if (child && !exit) child.kill('SIGKILL');
    user?.remove();
  });

  it('applies the file at start', async () => {
    const first = await until(`the first cycle\n${stdout}\n${stderr}`, 15_000, () => statuses()[0]);
    expect(first).toMatch(/plan: 4 to add, 0 to change, 0 to delete — applied$/);
    expect(jobsIn(user.read())).toEqual({ alpha: '1', beta: '2', gamma: '3', delta: '4' });
  }, 20_000);

  it('applies a save within 2 s', async () => {
    const t0 = Date.now();
    save(yaml({ ...ALL, alpha: 7 }), true);
    await until('alpha at minute 7 in the crontab', 2000, () => jobsIn(user.read()).alpha === '7');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await nextStatus(1)).toMatch(/0 to add, 1 to change, 0 to delete — applied$/);
  });

  const expected = { alpha: '7', beta: '2', gamma: '3', delta: '4' };

  it('a half-written file changes nothing', async () => {
    const full = yaml({ ...ALL, alpha: 7, beta: 9 });
    save(full.slice(0, full.indexOf('command', full.indexOf('beta:')) + 4)); // cut inside a key
    expect(await nextStatus(2)).toMatch(/invalid: 1 error \(see above\) — nothing changed$/);
    expect(jobsIn(user.read())).toEqual(expected);
  });

  it('an empty file changes nothing', async () => {
    save('');
    expect(await nextStatus(3)).toMatch(/invalid: .* — nothing changed$/);
    expect(stderr).toMatch(/the file is empty/);
    expect(jobsIn(user.read())).toEqual(expected);
  });

  it('an invalid file changes nothing and shows where', async () => {
    save(yaml({ ...ALL, alpha: 7 }).replace('"3 * * * *"', '"61 * * * *"'));
    expect(await nextStatus(4)).toMatch(/invalid: 1 error \(see above\) — nothing changed$/);
    expect(stderr).toMatch(/schedules\.yaml:\d+:\d+: error: invalid schedule for job 'gamma'/);
    expect(jobsIn(user.read())).toEqual(expected);
  });

  it('a save cut off at a job boundary deletes nothing, and says how to confirm (issue 11.4)', async () => {
    save(yaml({ ...ALL, alpha: 7 }));
    expect(await nextStatus(5)).toMatch(/plan: no changes/);
    // The reproduction: the file as an editor killed mid-save leaves it, cut after gamma
    // (5 header lines + 3 jobs of 3 lines), written in place.
    const cut = spawnSync('sh', [
      '-c',
      `head -14 "$1" > "$1.t" && cat "$1.t" > "$1" && rm "$1.t"`,
      'sh',
      file,
    ]);
    expect(cut.status).toBe(0);
    expect(await nextStatus(6)).toMatch(
      /0 to add, 0 to change, 1 to delete — held back: deleting 1 job \(delta\) waits for your confirmation$/,
    );
    const hint = /Not deleted: delta\. To delete, run `sched apply`.*`sched watch --apply --allow-delete`/;
    expect(await until(`the hint after the held cycle\n${stdout}`, 5000, () => hint.test(stdout))).toBe(true);
    expect(jobsIn(user.read())).toEqual(expected);
  });

  it('survives the file being deleted and re-created', async () => {
    rmSync(file);
    expect(await nextStatus(7)).toMatch(/invalid: file not found — nothing changed$/);
    expect(jobsIn(user.read())).toEqual(expected);
    save(yaml({ ...ALL, alpha: 7, delta: 8 }));
    expect(await nextStatus(8)).toMatch(/0 to add, 1 to change, 0 to delete — applied$/);
    expect(jobsIn(user.read())).toEqual({ ...expected, delta: '8' });
  });

  it('SIGINT ends it within 2 s with exit 0', async () => {
    const t0 = Date.now();
    child.kill('SIGINT');
    await until('the watch to exit', 2000, () => exit);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace anywhere
  });
});

const ttySkip =
  cliSkipReason() ??
  (spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0
    ? undefined
    : "'script' (util-linux, Debian package bsdutils) is not installed");
if (ttySkip) console.warn(`[skip] e2e sched watch on a terminal: ${ttySkip}`);

describe.skipIf(ttySkip)('sched watch --apply on a terminal (embedded backend, through script(1))', () => {
  it("a held-back plan is applied when the user types 'yes', and Ctrl-C ends it with exit 0", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sched-watch-tty-'));
    const file = path.join(dir, 'schedules.yaml');
    const three = `version: 1\nproject: e2e-watch-tty\nbackend: embedded\njobs:\n  a: {schedule: hour, command: [echo, a]}\n  b: {schedule: hour, command: [echo, b]}\n  c: {schedule: hour, command: [echo, c]}\n`;
    writeFileSync(file, three);
    // exec: script(1) runs the command through $SHELL -c, and dash, when it is that shell, waits
    // for sched and then dies of the terminal's SIGINT itself (exit 130) — sched must be the child.
    const cmd = `exec '${process.execPath}' '${SCHED_BIN}' watch --apply -f '${file}'`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...process.env, SCHED_HOME: path.join(dir, 'state'), NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    let code: number | null | undefined;
    child.on('exit', (c) => (code = c));
    const count = (re: RegExp) => (out.match(re) ?? []).length;
    try {
      await until(`the first apply\n${out}`, 15_000, () => count(/— applied/g) === 1);
      writeFileSync(file, three.replace(/ {2}b:.*\n {2}c:.*\n/, ''));
      await until(`the hold\n${out}`, 5000, () => count(/held back/g) === 1);
      expect(out).toMatch(/type 'yes' and Enter/);
      child.stdin!.write('yes\r');
      await until(`the confirmed apply\n${out}`, 5000, () => count(/— applied/g) === 2);
      expect(out).toMatch(/0 to add, 0 to change, 2 to delete — applied/);
      const t0 = Date.now();
      child.stdin!.write('\x03'); // Ctrl-C through the terminal's line discipline
      await until('the watch to exit', 2000, () => code !== undefined);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(code).toBe(0);
    } finally {
      if (code === undefined) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
