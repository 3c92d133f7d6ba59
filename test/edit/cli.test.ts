/**
 * `sched add/pause/resume/remove` through the compiled CLI (embedded backend, temp SCHED_HOME):
 * argv after `--`, the plan printed, --apply with the apply confirmation rules, errors without
 * stack traces, nothing written when the result is invalid.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] sched add/pause/resume/remove CLI: ${skip}`);

const START = `# the team's jobs
version: 1
project: edit-cli
backend: embedded

jobs:
  # keep this comment
  alpha:
    schedule: hour   # hourly
    command: ["echo", "alpha"]
`;

describe.skipIf(skip)('editing commands (compiled CLI)', () => {
  let dir: string;
  let file: string;
  const cli = (args: string[]) =>
    sched(localExec(dir), args, { SCHED_HOME: path.join(dir, 'state'), TZ: 'UTC' });
  const jobs = () =>
    (parse(readFileSync(file, 'utf8')) as { jobs: Record<string, Record<string, unknown>> }).jobs;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sched-edit-cli-'));
    file = path.join(dir, 'schedules.yaml');
    writeFileSync(file, START);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('add: everything after -- is the argv; prints the plan; the host is unchanged without --apply', async () => {
    const r = await cli([
      'add',
      'beta',
      '--schedule',
      '*/5 * * * *',
      '--tz',
      'UTC',
      '--overlap',
      'queue',
      '--',
      'echo',
      'hello world',
      '--flag',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(jobs().beta).toEqual({
      schedule: '*/5 * * * *',
      command: ['echo', 'hello world', '--flag'],
      timezone: 'UTC',
      overlap: 'queue',
    });
    expect(r.stdout).toContain('+ beta (new)');
    expect(r.stdout).toMatch(/Plan: 2 to add, 0 to change, 0 to delete\./);
    expect(readFileSync(file, 'utf8').startsWith(START)).toBe(true); // comments and layout untouched
    expect((await cli(['plan', '--detailed-exitcode'])).exitCode).toBe(2);
  });

  it('add: one argument with spaces stays one argv element, with a warning', async () => {
    const r = await cli(['add', 'gamma', '-s', 'day', '--', 'echo hi there']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(jobs().gamma!.command).toEqual(['echo hi there']);
    expect(r.stderr).toMatch(/one argument containing spaces/);
  });

  it('--apply without a terminal and without --auto-approve refuses before editing', async () => {
    const before = readFileSync(file, 'utf8');
    const r = await cli(['pause', 'alpha', '--apply']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--auto-approve/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('pause --apply --auto-approve edits and applies', async () => {
    const r = await cli(['pause', 'alpha', '--apply', '--auto-approve']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(jobs().alpha!.enabled).toBe(false);
    expect(r.stdout).toMatch(/Apply complete/);
    expect((await cli(['plan', '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('resume and remove, then the host follows with apply', async () => {
    expect((await cli(['resume', 'alpha'])).exitCode).toBe(0);
    expect(jobs().alpha!.enabled).toBeUndefined();
    const r = await cli(['remove', 'gamma', '--apply', '--auto-approve']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Object.keys(jobs())).toEqual(['alpha', 'beta']);
    expect(readFileSync(file, 'utf8')).toContain('# keep this comment');
    expect((await cli(['plan', '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('errors: unknown name with a suggestion, existing name, bad name, invalid result — no stack trace, nothing written', async () => {
    const before = readFileSync(file, 'utf8');
    const cases: Array<[string[], RegExp]> = [
      [['remove', 'alpah'], /no job 'alpah'[\s\S]*did you mean 'alpha'/],
      [['add', 'alpha', '-s', 'day', '--', 'x'], /already exists/],
      [['add', 'Not_OK', '-s', 'day', '--', 'x'], /not a valid job name/],
      [['add', 'delta', '-s', '0 25 * * *', '--', 'x'], /schedules\.yaml:\d+:\d+: error: invalid schedule/],
      [['add', 'delta', '-s', 'day'], /no command given/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readFileSync(file, 'utf8')).toBe(before);
    }
  });
});
