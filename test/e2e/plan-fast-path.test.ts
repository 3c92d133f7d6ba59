/**
 * `sched plan` in its common forms runs without oclif (bin/run.js); other forms go through
 * oclif. Both must say the same thing and end with the same exit code — here compared on the
 * compiled CLI, with the embedded backend (no OS scheduler needed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from './helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] e2e plan fast path: ${skip}`);

const dir = mkdtempSync(path.join(tmpdir(), 'sched-fast-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { SCHED_HOME: path.join(dir, 'state') };
const exec = localExec(dir);
const file = path.join(dir, 'schedules.yaml');

/**
 * The same invocation twice: as the fast path takes it, and through oclif (SCHED_NO_FAST_PATH=1;
 * the fast parser now reads every form oclif reads, -f=FILE included).
 */
async function both(fast: string[], viaOclif: string[]) {
  const a = await sched(exec, fast, env);
  const b = await sched(exec, viaOclif, { ...env, SCHED_NO_FAST_PATH: '1' });
  const stable = (s: string) => s.replace(/"created_at": "[^"]+"/g, '"created_at": "…"');
  return { a: { ...a, stdout: stable(a.stdout) }, b: { ...b, stdout: stable(b.stdout) } };
}

describe.skipIf(skip)('sched plan: fast path and oclif agree', () => {
  it('a plan with changes: same text, same JSON, exit 2 with --detailed-exitcode', async () => {
    writeFileSync(
      file,
      'version: 1\nproject: fast-plan\nbackend: embedded\njobs:\n  a: {schedule: hour, command: [echo, a]}\n',
    );
    const text = await both(
      ['plan', '--detailed-exitcode'],
      ['plan', '-f=schedules.yaml', '--detailed-exitcode'],
    );
    expect(text.a).toEqual(text.b);
    expect(text.a.exitCode).toBe(2);
    expect(text.a.stdout).toMatch(/Plan: 1 to add, 0 to change, 0 to delete\./);
    const json = await both(
      ['plan', '--json', '--target', 'a'],
      ['plan', '--json', '--target', 'a', '-f=schedules.yaml'],
    );
    expect(json.a).toEqual(json.b);
    expect(JSON.parse(json.a.stdout)).toMatchObject({ format_version: 1, has_changes: true });
  });

  it('an invalid file: the same diagnostics and exit 1', async () => {
    writeFileSync(file, 'version: 1\njobs:\n  a: {schedule: "61 * * * *", command: x}\n');
    const r = await both(['plan'], ['plan', '-f=schedules.yaml']);
    expect(r.a).toEqual(r.b);
    expect(r.a.exitCode).toBe(1);
    expect(r.a.stderr).toMatch(/schedules\.yaml:3:\d+: error: invalid schedule for job 'a'/);
    expect(r.a.stderr).not.toMatch(/\n\s+at /);
  });

  it('a user error (unknown --target): the same message and hint, exit 1', async () => {
    writeFileSync(
      file,
      'version: 1\nproject: fast-plan\nbackend: embedded\njobs:\n  a: {schedule: hour, command: [echo, a]}\n',
    );
    const r = await both(['plan', '--target', 'nope'], ['plan', '--target=nope', '-f=schedules.yaml']);
    expect(r.a).toEqual(r.b);
    expect(r.a.exitCode).toBe(1);
    expect(r.a.stderr).toMatch(/^Error: --target names no job of project fast-plan: nope\nHint: /);
  });

  it('help and mistakes go to oclif', async () => {
    const help = await sched(exec, ['plan', '--help'], env);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/USAGE\n {2}\$ sched plan/);
    const bad = await sched(exec, ['plan', '--bogus'], env);
    // A usage error exits 1: 2 means only "changes present".
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^Error: unknown flag --bogus for `sched plan`\n/);
    const short = await sched(exec, ['plan', '-h'], env);
    expect(short).toEqual(help);
  });
});
