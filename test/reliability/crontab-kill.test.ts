/**
 * Issue 12.1: a SIGKILLed `sched apply` must never install a truncated crontab. A ~300 KB crontab
 * with foreign lines before and after sched's block; a `crontab` shim that holds the write
 * (tools/slow-crontab.ts); sched killed with SIGKILL while the write is held, then the write
 * released. Every round the foreign bytes must be intact, the block whole (old or new), and the
 * next plan/apply must work. Runs the compiled CLI as a throw-away user on the real crontab.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, sched } from '../e2e/helpers/cli.js';
import { type CronUser, createCronUser, cronUserSkipReason } from '../e2e/helpers/cron-user.js';
import { type SlowCrontab, createSlowCrontab } from './tools/slow-crontab.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] crontab kill reliability: ${skip}`);

const ROUNDS = Number(process.env.SCHED_RELIABILITY_ROUNDS ?? 20);
const PROJECT = 'rel-kill';

/** ~290 KB of foreign lines before the block (comments: a cut anywhere would still install). */
const HEAD = Array.from(
  { length: 2900 },
  (_, i) => `# foreign head line ${String(i).padStart(5, '0')} ${'x'.repeat(70)}\n`,
).join('');
/** 150 foreign lines after the block: the ones a truncated install loses first. */
const TAIL = Array.from({ length: 150 }, (_, i) =>
  i % 3 === 0 ? `0 4 1 1 * echo tail-${i}\n` : `# foreign tail line ${i}\n`,
).join('');

function yaml(names: string[]): string {
  const jobs = names
    .map((n) => `\n  ${n}:\n    schedule: "0 3 1 1 *"\n    command: ["echo", "${n}"]`)
    .join('');
  return `version: 1\nproject: ${PROJECT}\nbackend: crontab\njobs:${jobs}\n`;
}
const VARIANTS = [yaml(['a1', 'a2', 'a3', 'a4', 'a5']), yaml(['b1', 'b2', 'b3'])];

const BLOCK = new RegExp(
  `^# BEGIN sched ${PROJECT}\\n(?:(?!# (?:BEGIN|END) sched).*\\n)*# END sched ${PROJECT}\\n`,
);

/** Why the installed crontab is wrong, or undefined when HEAD + one whole block + TAIL. */
function problemOf(bytes: Buffer | undefined): string | undefined {
  if (bytes === undefined) return 'no crontab installed';
  const text = bytes.toString('latin1');
  if (!text.startsWith(HEAD)) return `the foreign head changed (${text.length} bytes installed)`;
  const block = BLOCK.exec(text.slice(HEAD.length));
  if (!block) return 'no whole sched block after the head';
  if (text.slice(HEAD.length + block[0].length) !== TAIL)
    return `the foreign tail changed (${text.length} bytes installed)`;
  return undefined;
}

describe.skipIf(skip)('SIGKILL of sched apply during the crontab write (issue 12.1)', () => {
  let user: CronUser;
  let root: string;
  let schedTmp: string;
  let slow: SlowCrontab;
  let file: string;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    sched(execAs(user), args, { TMPDIR: schedTmp, ...env });

  beforeAll(async () => {
    user = createCronUser();
    root = mkdtempSync(path.join(tmpdir(), 'sched-rel-kill-'));
    chmodSync(root, 0o755);
    slow = createSlowCrontab(root, user);
    schedTmp = path.join(user.home, 'tmp');
    spawnSync('install', ['-d', '-m', '0700', '-o', user.name, schedTmp]);
    file = path.join(user.home, 'schedules.yaml');
    user.write(HEAD);
    user.writeOwned(file, VARIANTS[0]!);
    const first = await cli(['apply', '-f', file, '--auto-approve']);
    expect(first.exitCode, first.stderr).toBe(0);
    user.write(user.read()! + TAIL);
    expect(problemOf(user.spoolBytes())).toBeUndefined();
  });
  afterAll(() => {
    user?.remove();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(`keeps every foreign byte and a whole block in ${ROUNDS} rounds`, { timeout: 30 * 60_000 }, async () => {
    const failures: string[] = [];
    const pathWithShim = `${slow.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    for (let round = 1; round <= ROUNDS; round += 1) {
      slow.reset();
      user.writeOwned(file, VARIANTS[round % 2]!);
      const apply = cli(['apply', '-f', file, '--auto-approve'], { PATH: pathWithShim });
      const pid = await slow.waitForWrite();
      process.kill(pid, 'SIGKILL');
      slow.release();
      await slow.waitForFinish();
      await apply;

      const why = problemOf(user.spoolBytes());
      // The next apply (which plans first) works and converges.
      const again = await cli(['apply', '-f', file, '--auto-approve']);
      const settled = await cli(['plan', '-f', file, '--detailed-exitcode']);
      const after = problemOf(user.spoolBytes());
      if (why) failures.push(`round ${round}: after the kill: ${why}`);
      else if (again.exitCode !== 0 || settled.exitCode !== 0)
        failures.push(`round ${round}: the next apply/plan failed: ${again.stderr || settled.stdout}`.trim());
      else if (after) failures.push(`round ${round}: after the next apply: ${after}`);
      if (why || after) {
        // Put the fixture back for the next round.
        user.write(HEAD);
        await cli(['apply', '-f', file, '--auto-approve']);
        user.write(user.read()! + TAIL);
      }
    }
    // Each killed apply leaves its staged file; the next apply that writes removes it.
    const left = readdirSync(schedTmp).length;
    user.writeOwned(file, VARIANTS[(ROUNDS + 1) % 2]!);
    expect((await cli(['apply', '-f', file, '--auto-approve'])).exitCode).toBe(0);
    const leftovers = readdirSync(schedTmp);
    console.log(
      `crontab kill: tried ${ROUNDS}, passed ${ROUNDS - failures.length}; staged files left: ${left} before the next write, ${leftovers.length} after it`,
    );
    expect(failures).toEqual([]);
    expect(leftovers).toEqual([]);
  });
});
