/**
 * What the compiled CLI says when the command line or a path is wrong: usage errors, file-system
 * errors on paths the user gave, job names sched has no record of. Each case must end (a
 * deadline catches a hang), exit 1 (2 means only "changes present"), never call a user's mistake
 * "a bug in sched", never print a stack trace, and name the path it is about. The words are
 * golden: test/golden/cli-errors/<case>.txt (UPDATE_GOLDEN=1 rewrites them; review the diff).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, SCHED_BIN } from '../e2e/helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from '../e2e/helpers/cron-user.js';
import { failingCommand } from '../fakes/failing-command.js';
import { mountReadOnly, nameTooLong, symlinkLoop, type ReadOnlyMount } from '../fakes/fs-faults.js';
import { expectGolden } from '../helpers/golden.js';

const GOLDEN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../golden/cli-errors');
const skip = cliSkipReason();
if (skip) console.warn(`[skip] CLI error messages: ${skip}`);

const dir = mkdtempSync(path.join(tmpdir(), 'sched-cli-errors-'));
const state = path.join(dir, 'state');
const aFile = path.join(dir, 'a-file');
const brokenBin = path.join(dir, 'broken-bin');
let readOnly: ReadOnlyMount | string = 'not mounted';

interface Result {
  exitCode: number | 'hung';
  stdout: string;
  stderr: string;
}

/** `sched ARGS` in `dir`; a run still going after the deadline is killed and reported as hung. */
function sched(
  args: readonly string[],
  env: Record<string, string> = {},
  wrap: readonly string[] = [],
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const [cmd, ...pre] = [...wrap, process.execPath, SCHED_BIN];
    const child = spawn(cmd!, [...pre, ...args], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', SCHED_HOME: state, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    const deadline = setTimeout(() => ((hung = true), child.kill('SIGKILL')), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ exitCode: hung ? 'hung' : (code ?? 1), stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (skip) return;
  writeFileSync(
    path.join(dir, 'schedules.yaml'),
    [
      'version: 1',
      'project: cli-errors',
      'backend: embedded',
      'jobs:',
      '  nightly-report: {schedule: "0 3 * * *", command: [echo, report]}',
      '  broken: {schedule: "0 4 * * *", command: [not-a-real-cmd, --flag]}',
      '  only-in-file: {schedule: "0 5 * * *", command: [echo, later]}',
      '',
    ].join('\n'),
  );
  writeFileSync(aFile, 'not a folder\n');
  // Invalid YAML (an unclosed flow map) and a project on a crontab that refuses every read.
  writeFileSync(
    path.join(dir, 'bad.yaml'),
    'version: 1\nproject: cli-errors\njobs:\n  a: {schedule: "0 3 * * *", command: [echo]\n',
  );
  writeFileSync(
    path.join(dir, 'on-crontab.yaml'),
    'version: 1\nproject: cli-errors-cron\nbackend: crontab\njobs:\n  a: {schedule: "0 3 * * *", command: [echo]}\n',
  );
  failingCommand(brokenBin, 'crontab', 'crontab: cannot open spool dir: Permission denied');
  const applied = await sched([
    'apply',
    '--auto-approve',
    '--target',
    'nightly-report',
    '--target',
    'broken',
  ]);
  expect(applied.exitCode, applied.stderr).toBe(0);
  readOnly = mountReadOnly(path.join(dir, 'read-only'));
  mkdirSync(path.join(dir, 'loop'));
  symlinkLoop(path.join(dir, 'loop'));
}, 60_000);

afterAll(() => {
  if (typeof readOnly !== 'string') readOnly.remove();
  rmSync(dir, { recursive: true, force: true });
});

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  exit?: number;
  /** Text stderr must contain (a path, a close name). */
  names?: string[];
  skipIf?: () => string | undefined;
  /** `diagnostics`: the file's problems, compiler style, as `sched validate` prints them. */
  style?: 'diagnostics';
}

const usageCases: Case[] = [
  {
    name: 'plan-typo-flag',
    args: ['plan', '--detailed-exitcode', '--taget', 'x'],
    names: ['--taget', '--target'],
  },
  { name: 'plan-single-dash', args: ['plan', '-detailed-exitcode'], names: ['--detailed-exitcode'] },
  { name: 'plan-extra-arg', args: ['plan', 'extra-arg'], names: ["'extra-arg'"] },
  { name: 'plan-extra-arg-fast-flags', args: ['plan', '--json', 'extra-arg'], names: ["'extra-arg'"] },
  {
    name: 'apply-schedules-file',
    args: ['apply', 'schedules.yaml'],
    names: ['sched apply -f schedules.yaml'],
  },
  { name: 'unknown-command', args: ['aply'], names: ['sched apply'] },
  { name: 'unknown-command-no-guess', args: ['frobnicate'], names: ['sched help'] },
  { name: 'missing-argument', args: ['logs'], names: ['JOB'] },
  { name: 'extra-argument', args: ['history', 'nightly-report', 'more'], names: ["'more'"] },
  { name: 'bad-option', args: ['status', '--scope', 'root'], names: ['--scope'] },
  { name: 'bad-integer', args: ['history', 'nightly-report', '-n', 'abc'], names: ['--number'] },
  { name: 'run-unknown-flag', args: ['run', '--bogus'], names: ['--bogus'] },
];

const fsCases: Case[] = [
  {
    name: 'plan-out-missing-folder',
    args: ['plan', '--out', path.join(dir, 'missing', 'p.json')],
    names: ['<dir>/missing/p.json', 'ENOENT'],
  },
  {
    name: 'plan-out-symlink-loop',
    args: ['plan', '--out', path.join(dir, 'loop', 'loop-a', 'plan.json')],
    names: ['loop-a', 'ELOOP'],
  },
  { name: 'plan-out-name-too-long', args: ['plan', '--out', nameTooLong(dir)], names: ['ENAMETOOLONG'] },
  {
    name: 'render-out-onto-file',
    args: ['render', '--backend', 'crontab', '--out', aFile],
    names: ['<dir>/a-file'],
  },
  {
    name: 'render-out-sys',
    args: ['render', '--backend', 'crontab', '--out', '/sys/sched-x'],
    names: ['/sys/sched-x'],
  },
  {
    name: 'render-out-proc',
    args: ['render', '--backend', 'launchd', '--out', '/proc/sched-x'],
    names: ['/proc/sched-x'],
  },
  {
    name: 'render-out-read-only-fs',
    args: ['render', '--backend', 'crontab', '--out', path.join(dir, 'read-only', 'out')],
    names: ['<dir>/read-only/out', 'EROFS'],
    skipIf: () => (typeof readOnly === 'string' ? readOnly : undefined),
  },
  {
    name: 'state-home-is-a-file',
    args: ['status'],
    env: { SCHED_HOME: aFile },
    names: ['<dir>/a-file', 'SCHED_HOME'],
  },
  {
    name: 'state-home-is-a-file-apply',
    args: ['apply', '--auto-approve'],
    env: { SCHED_HOME: aFile },
    names: ['<dir>/a-file', 'SCHED_HOME'],
  },
  {
    name: 'state-home-in-proc',
    args: ['apply', '--auto-approve'],
    env: { SCHED_HOME: '/proc/sched-state' },
    names: ['/proc/sched-state'],
  },
];

const jobCases: Case[] = [
  { name: 'run-typo', args: ['run', 'nightly-reprot'], names: ["'nightly-report'"] },
  { name: 'run-now-typo', args: ['run-now', 'nigthly-report'], names: ["'nightly-report'"] },
  { name: 'history-typo', args: ['history', 'nightly-reports'], names: ["'nightly-report'"] },
  { name: 'logs-typo', args: ['logs', 'brokn'], names: ["'broken'"] },
  { name: 'run-not-in-file', args: ['run', 'ghost'], names: ['no job ghost in schedules.yaml'] },
  { name: 'run-not-applied', args: ['run', 'only-in-file'], names: ['sched apply'] },
  { name: 'run-now-not-applied', args: ['run-now', 'only-in-file'], names: ['sched apply'] },
  {
    name: 'run-cannot-start',
    args: ['run', 'broken'],
    exit: 127,
    names: ['command not found: not-a-real-cmd'],
  },
];

/** The one missing-file error, whichever command reads the file. */
const missingFileCases: Case[] = [
  ['plan'],
  ['apply', '--auto-approve'],
  ['status'],
  ['check'],
  ['validate'],
  ['fmt'],
  ['pause', 'nightly-report'],
  ['add', 'x', '-s', 'day', '--', 'echo'],
  ['run-now', 'nightly-report'],
  ['history', 'nightly-report'],
  ['logs', 'nightly-report'],
  ['run', 'nightly-report'],
].map((args) => ({
  name: `missing-file-${args[0]}`,
  args: [
    ...args.slice(0, args.indexOf('--') < 0 ? args.length : args.indexOf('--')),
    '-f',
    'missing.yaml',
    ...(args.indexOf('--') < 0 ? [] : args.slice(args.indexOf('--'))),
  ],
  names: ['no schedules file at missing.yaml'],
}));

const otherCases: Case[] = [
  { name: 'invalid-yaml', args: ['plan', '-f', 'bad.yaml'], names: ['bad.yaml:5:1'], style: 'diagnostics' },
  {
    name: 'backend-failure',
    args: ['plan', '-f', 'on-crontab.yaml'],
    env: { PATH: `${brokenBin}:${process.env.PATH}` },
    names: ['crontab -l', 'Permission denied', 'sched doctor'],
  },
];

/** Paths under the temp dir and the node version read the same on every machine. */
function normalize(text: string): string {
  return text
    .split(dir)
    .join('<dir>')
    .replace(/'n{300}\.json'|n{300}\.json/g, (m) => m.replace(/n{300}/, 'n…n'));
}

function golden(c: Case, r: Result): string {
  // stderr only: what stdout shows first (a plan, with fire times) is not the point here.
  return normalize(`$ sched ${c.args.join(' ')}\nexit ${r.exitCode}\n--- stderr\n${r.stderr}`);
}

async function check(c: Case): Promise<void> {
  const why = c.skipIf?.();
  if (why) {
    console.warn(`[skip] ${c.name}: ${why}`);
    return;
  }
  const r = await sched(c.args, c.env);
  expect(r.exitCode, r.stderr).toBe(c.exit ?? 1);
  expect(r.stderr).not.toMatch(/bug in sched/i);
  expect(r.stderr).not.toMatch(/\n\s+at |\.[jt]s:\d+/);
  const err = normalize(r.stderr);
  for (const n of c.names ?? []) expect(err, `stderr names ${n}`).toContain(n);
  if (c.style === 'diagnostics')
    expect(r.stderr).toMatch(/^\S+:\d+:\d+: error: .+\n[^]*\d+ errors?, \d+ warnings?\n$/);
  else if (c.exit === undefined) expect(r.stderr).toMatch(/^Error: .+\nHint: .+\n$/);
  expectGolden(path.join(GOLDEN, `${c.name}.txt`), golden(c, r));
}

describe.skipIf(skip)('CLI error messages (golden: test/golden/cli-errors)', () => {
  describe('usage errors exit 1, in sched’s words', () => {
    it.each(usageCases.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
  });
  describe('file-system errors on the user’s paths are user errors', () => {
    it.each(fsCases.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
  });
  describe('a missing schedules file reads the same from every command', () => {
    it.each(missingFileCases.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
  });
  describe('invalid YAML, and a backend command that fails', () => {
    it.each(otherCases.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
  });
  describe('colour: the labels on a coloured stderr, none with --no-color', () => {
    it('FORCE_COLOR=1 colours Error: and Hint: even when piped', async () => {
      const r = await sched(['plan', '-f', 'missing.yaml'], { FORCE_COLOR: '1', NO_COLOR: '' });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(
        '\u001b[31mError:\u001b[0m no schedules file at missing.yaml\n' +
          '\u001b[1mHint:\u001b[0m Create one with `sched init`, or give the path of another with -f FILE.\n',
      );
    });
    it('--no-color and NO_COLOR win over FORCE_COLOR, for usage errors too', async () => {
      const force = { FORCE_COLOR: '1', NO_COLOR: '' };
      const [missing, usage, noColor] = await Promise.all([
        sched(['status', '-f', 'missing.yaml', '--no-color'], force),
        sched(['status', '--no-color', '--bogus'], force),
        sched(['status', '-f', 'missing.yaml'], { FORCE_COLOR: '1', NO_COLOR: '1' }),
      ]);
      expect(noColor.stderr).toMatch(/^Error: no schedules file at missing.yaml\nHint: /);
      expect(missing.stderr).toMatch(/^Error: no schedules file at missing.yaml\nHint: /);
      expect(usage.stderr).toMatch(/^Error: unknown flag --bogus for `sched status`\nHint: /);
    });
  });
  it('oclif’s help follows the same rule: FORCE_COLOR colours it, --no-color and NO_COLOR win', async () => {
    const force = { FORCE_COLOR: '1', NO_COLOR: '' };
    const [forced, flag, noColor] = await Promise.all([
      sched(['status', '--help'], force),
      sched(['status', '--help', '--no-color'], force),
      sched(['status', '--help'], { FORCE_COLOR: '1', NO_COLOR: '1' }),
    ]);
    expect(forced.stdout).toContain('\u001b[');
    expect(flag.stdout).toContain('USAGE');
    expect(flag.stdout).not.toContain('\u001b[');
    expect(noColor.stdout).not.toContain('\u001b[');
  });
  describe('job names sched has no record of', () => {
    it.each(jobCases.map((c) => [c.name, c] as const))('%s', async (_, c) => check(c));
    it('records why a run could not start', async () => {
      const r = await sched(['history', 'broken', '--json']);
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).runs[0]).toMatchObject({
        exit_code: 127,
        reason: 'command not found: not-a-real-cmd',
      });
    });
  });
});

describe.skipIf(skip || cronUserSkipReason())('file-system errors as an ordinary user (EACCES)', () => {
  let user: CronUser;
  beforeAll(() => {
    user = createCronUser();
    user.writeOwned(
      path.join(user.home, 'schedules.yaml'),
      'version: 1\nproject: cli-errors-user\nbackend: embedded\njobs:\n  a: {schedule: hour, command: [echo, a]}\n',
    );
  });
  afterAll(() => user?.remove());

  function asUser(args: string[], env: Record<string, string>): Promise<Result> {
    const vars = Object.entries({ HOME: user.home, SCHED_HOME: '', XDG_STATE_HOME: '', ...env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    return new Promise((resolve, reject) => {
      const child = spawn(
        'runuser',
        ['-u', user.name, '--', 'env', ...vars, 'NO_COLOR=1', process.execPath, SCHED_BIN, ...args],
        { cwd: user.home, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
    });
  }

  function userError(r: Result, pathNamed: string): void {
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/bug in sched/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toContain(pathNamed);
    expect(r.stderr).toMatch(/^Error: .+\nHint: .+\n$/);
  }

  it('render --out into a folder the user cannot write', async () => {
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    chmodSync(dir, 0o755);
    const r = await asUser(['render', '--backend', 'crontab', '--out', path.join(locked, 'out')], {});
    userError(r, path.join(locked, 'out'));
    expect(r.stderr).toContain('EACCES');
  });

  it('HOME pointing at a folder that does not exist', async () => {
    const missing = `/nonexistent-sched-${path.basename(dir)}`;
    const r = await asUser(['apply', '--auto-approve'], { HOME: missing });
    userError(r, missing);
    expect(r.stderr).toContain('$HOME');
    expect(existsSync(missing)).toBe(false);
  });
});
