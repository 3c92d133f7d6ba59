/**
 * Every JSON output of every command (compiled CLI) is a published format (docs/json.md): it has
 * a `format_version` and only snake_case keys, walked recursively. Keys that are user data (the
 * names of environment variables in an `env` map) are the only exception, named below. A command
 * that gains a --json flag without a case here fails the coverage check.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, REPO_ROOT, sched, SCHED_BIN } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] JSON outputs: ${skip}`);

const dir = mkdtempSync(path.join(tmpdir(), 'sched-json-outputs-'));
const exec = localExec(dir);
const env = { SCHED_HOME: path.join(dir, 'state') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Objects whose keys are user data, by the key that holds them. */
const USER_DATA_MAPS = new Set(['env']);
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Every key that is not snake_case, with its path (`.jobs[].exitCode`). */
export function nonSnakeKeys(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => nonSnakeKeys(v, `${at}[]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(SNAKE.test(k) ? [] : [`${at}.${k}`]),
    ...(USER_DATA_MAPS.has(k) ? [] : nonSnakeKeys(v, `${at}.${k}`)),
  ]);
}

/** The documents a command printed: one JSON value, or JSON lines. */
function documents(stdout: string): unknown[] {
  try {
    return [JSON.parse(stdout)];
  } catch {
    return stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
  }
}

function expectPublished(stdout: string, what: string): void {
  const docs = documents(stdout);
  expect(docs.length, `${what} printed JSON`).toBeGreaterThan(0);
  for (const doc of docs) {
    expect(doc, `${what}: an object`).toBeTypeOf('object');
    expect(Array.isArray(doc), `${what}: not a bare array`).toBe(false);
    expect((doc as { format_version?: unknown }).format_version, `${what}: format_version`).toEqual(
      expect.any(Number),
    );
    expect(nonSnakeKeys(doc), `${what}: keys not in snake_case`).toEqual([]);
  }
}

/** Command lines run in order (some change what the next ones see); exit codes allowed. */
const cases: Array<{ id: string; args: string[]; exit?: number[] }> = [
  { id: 'validate', args: ['validate', '--format', 'json'] },
  { id: 'plan', args: ['plan', '--json'] },
  { id: 'apply', args: ['apply', '--auto-approve', '--json'] },
  { id: 'status', args: ['status', '--json'] },
  { id: 'list', args: ['list', '--json'] },
  { id: 'doctor', args: ['doctor', '--json'], exit: [0, 1] },
  { id: 'check', args: ['check', '--json'], exit: [0, 2] },
  { id: 'history', args: ['history', 'nightly', '--json'] },
  { id: 'logs', args: ['logs', 'nightly', '--json'] },
  { id: 'next', args: ['next', 'nightly', '--json'] },
  { id: 'render', args: ['render', '--backend', 'crontab', '--out', path.join(dir, 'rendered'), '--json'] },
  { id: 'fmt', args: ['fmt', '--check', '--json'], exit: [0, 2] },
  { id: 'import', args: ['import', '--backend', 'crontab', '--json'] },
  { id: 'pause', args: ['pause', 'nightly', '--json'] },
  { id: 'resume', args: ['resume', 'nightly', '--json'] },
  {
    id: 'add',
    args: ['add', 'extra', '-s', 'day', '--json', '--apply', '--auto-approve', '--', 'echo', 'x'],
  },
  { id: 'remove', args: ['remove', 'extra', '--json', '--apply', '--auto-approve'] },
  { id: 'run-now', args: ['run-now', 'nightly', '--json'] },
  { id: 'destroy', args: ['destroy', '--auto-approve', '--json'] },
];

/**
 * `daemon --json` logs lines of a long-running process and `--install` writes a service into
 * HOME: its lines are checked where they are made (test/daemon/lock-records-install.test.ts).
 */
const NOT_COVERED = new Set(['daemon']);

beforeAll(async () => {
  if (skip) return;
  writeFileSync(
    path.join(dir, 'schedules.yaml'),
    [
      'version: 1',
      'project: json-outputs',
      'backend: embedded',
      'jobs:',
      '  nightly:',
      '    schedule: "0 3 * * *"',
      '    command: [echo, report]',
      '    env: {MY_VAR: x, camelCaseVar: y}',
      '',
    ].join('\n'),
  );
  const applied = await sched(exec, ['apply', '--auto-approve'], env);
  expect(applied.exitCode, applied.stderr).toBe(0);
  const ran = await sched(exec, ['run', 'nightly'], env);
  expect(ran.exitCode, ran.stderr).toBe(0);
}, 120_000);

describe.skipIf(skip)('every JSON output: format_version and snake_case keys', () => {
  it('the key walker finds camelCase at any depth and skips user-data maps', () => {
    expect(nonSnakeKeys({ a_b: [{ c: { durationMs: 1 } }], env: { MY_VAR: 1 }, stateDir: 'x' })).toEqual([
      '.a_b[].c.durationMs',
      '.stateDir',
    ]);
  });

  it('every command with --json (or --format json) has a case', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { flags: Record<string, { options?: string[] }> }>;
    };
    const withJson = Object.entries(manifest.commands)
      .filter(([, c]) => 'json' in c.flags || c.flags.format?.options?.includes('json'))
      .map(([id]) => id)
      .filter((id) => !NOT_COVERED.has(id));
    // watch has its own case below: it streams until stopped.
    expect(new Set([...cases.map((c) => c.id), 'watch'])).toEqual(new Set(withJson));
  });

  for (const c of cases) {
    it(`${c.args.join(' ')}`, { timeout: 120_000 }, async () => {
      const r = await sched(exec, c.args, env);
      expect(c.exit ?? [0], r.stderr).toContain(r.exitCode);
      expectPublished(r.stdout, c.id);
    });
  }

  it('watch --json: a line at start, one per cycle, one at the end', { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, [SCHED_BIN, 'watch', '--json'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    // Wait for the first cycle's line (generous deadline), then stop the watch.
    const deadline = Date.now() + 90_000;
    while (!/"event":"cycle"/.test(stdout) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    await closed;
    expectPublished(stdout, 'watch');
    const events = documents(stdout).map((d) => (d as { event: string }).event);
    expect(events[0]).toBe('watching');
    expect(events).toContain('cycle');
  });
});
