/**
 * `sched apply` in its common forms runs without oclif (bin/run.js); other forms go through
 * oclif. Both must do and say the same and end with the same exit code — here on the compiled
 * CLI, with the embedded backend (no OS scheduler needed), each side in its own state dir.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from './helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] e2e apply fast path: ${skip}`);

const dir = mkdtempSync(path.join(tmpdir(), 'sched-fast-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const exec = localExec(dir);
const file = path.join(dir, 'schedules.yaml');
const FAST = { SCHED_HOME: path.join(dir, 'fast') };
const OCLIF = { SCHED_HOME: path.join(dir, 'oclif'), SCHED_NO_FAST_PATH: '1' };

/** The same apply through the fast path and through oclif, each against its own state. */
async function both(args: string[]) {
  const a = await sched(exec, args, FAST);
  const b = await sched(exec, args, OCLIF);
  const stable = (s: string) =>
    s
      .replaceAll(FAST.SCHED_HOME, '<state>')
      .replaceAll(OCLIF.SCHED_HOME, '<state>')
      .replace(/"created_at": "[^"]+"/g, '"created_at": "…"');
  return {
    a: { ...a, stdout: stable(a.stdout), stderr: stable(a.stderr) },
    b: { ...b, stdout: stable(b.stdout), stderr: stable(b.stderr) },
  };
}

const spec = (home: string, job: string) =>
  JSON.parse(readFileSync(path.join(home, 'projects', 'fast-apply', 'jobs', job, 'spec.json'), 'utf8')) as {
    job: { command: { argv: string[] } };
  };

describe.skipIf(skip)('sched apply: fast path and oclif agree', () => {
  it('applies the same jobs with the same output, then reports no changes alike', async () => {
    writeFileSync(
      file,
      'version: 1\nproject: fast-apply\nbackend: embedded\njobs:\n  a: {schedule: hour, command: [echo, a]}\n  b: {schedule: day, command: [echo, b]}\n',
    );
    const first = await both(['apply', '--auto-approve', '--target', 'a', '--lock-timeout', '5s']);
    expect(first.a).toEqual(first.b);
    expect(first.a.exitCode).toBe(0);
    expect(first.a.stdout).toMatch(/Apply complete: 1 added, 0 changed, 0 deleted\./);
    expect(spec(FAST.SCHED_HOME, 'a').job.command.argv).toEqual(['echo', 'a']);
    const json = await both(['apply', '--auto-approve', '--json', '-f', 'schedules.yaml']);
    expect(json.a).toEqual(json.b);
    expect(JSON.parse(json.a.stdout)).toMatchObject({ applied: true, has_changes: true });
    const again = await both(['apply', '--auto-approve']);
    expect(again.a).toEqual(again.b);
    expect(again.a.stdout).toMatch(/No changes\./);
  });

  it('a user error and an unanswerable prompt: the same words and exit 1', async () => {
    const badTarget = await both(['apply', '--auto-approve', '--target', 'nope']);
    expect(badTarget.a).toEqual(badTarget.b);
    expect(badTarget.a.exitCode).toBe(1);
    expect(badTarget.a.stderr).toMatch(/^Error: --target names no job of project fast-apply: nope\n/);
    writeFileSync(
      file,
      'version: 1\nproject: fast-apply\nbackend: embedded\njobs:\n  a: {schedule: hour, command: [echo, A]}\n',
    );
    // stdin is not a terminal and there is no --auto-approve: refused, nothing changed.
    const asked = await both(['apply']);
    expect(asked.a).toEqual(asked.b);
    expect(asked.a.exitCode).toBe(1);
    expect(spec(FAST.SCHED_HOME, 'a').job.command.argv).toEqual(['echo', 'a']);
  });

  it('help and mistakes go to oclif', async () => {
    const help = await sched(exec, ['apply', '--help'], FAST);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/USAGE\n {2}\$ sched apply \[PLANFILE\]/);
    const bad = await sched(exec, ['apply', '--lock-timeout', 'soon'], FAST);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/--lock-timeout expects a duration such as 0s, 30s, 5m or 1h \(got 'soon'\)/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
