/**
 * A schedule that can never fire (`0 0 30 2 *`) is one error everywhere: `next` (expression or
 * job), `validate` and `render` all exit 1 and say "can never fire (no month has such a day)"
 * with the same hint — `next` used to exit 0 with "no fire times".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
const dir = mkdtempSync(path.join(tmpdir(), 'sched-never-fires-'));
const exec = localExec(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REASON = "schedule '0 0 30 2 *'";
const WORDS = 'can never fire (no month has such a day)';
const HINT = 'check the day-of-month and month fields';

describe.skipIf(skip)('never-firing schedules', () => {
  const file = path.join(dir, 'schedules.yaml');
  writeFileSync(
    file,
    'version: 1\nproject: p\njobs:\n  leap:\n    schedule: "0 0 30 2 *"\n    command: ["x"]\n',
  );

  it.each([
    ['next EXPR', ['next', '0 0 30 2 *', '--tz', 'UTC']],
    ['next EXPR --json', ['next', '0 0 30 2 *', '--tz', 'UTC', '--json']],
    ['next JOB', ['next', 'leap', '-f', file]],
    ['validate', ['validate', '-f', file]],
    ['render', ['render', '--backend', 'crontab', '--out', path.join(dir, 'out'), '-f', file]],
  ])('%s: exit 1, one error, the same words', async (_name, args) => {
    const r = await sched(exec, args);
    expect(r.exitCode).toBe(1);
    const said = r.stdout + r.stderr;
    expect(said).toContain(REASON);
    expect(said).toContain(WORDS);
    expect(said).toContain(HINT);
    expect(said).not.toContain('no fire times');
  });
});
