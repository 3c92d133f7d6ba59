/**
 * Conventions every command keeps (compiled CLI, including the plan and run fast paths):
 * `-h` is help (exit 0), an unknown flag is a usage error (exit 1, sched's words, the close
 * flag when there is one), and the version answers to `--version`, `-v` and `sched version`.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, REPO_ROOT, sched } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] every command: ${skip}`);
const commands = skip
  ? []
  : Object.keys(
      (JSON.parse(readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: object })
        .commands,
    ).sort();

const dir = mkdtempSync(path.join(tmpdir(), 'sched-every-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const exec = localExec(dir);
const env = { SCHED_HOME: path.join(dir, 'state') };

describe.skipIf(skip).concurrent('every command', () => {
  it('knows the commands', () => {
    expect(commands).toEqual(expect.arrayContaining(['apply', 'plan', 'run', 'logs', 'version']));
  });

  it.each(commands)('%s -h prints its help and exits 0', async (id) => {
    const r = await sched(exec, [...id.split(':'), '-h'], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/USAGE\n {2}\$ sched /);
    expect(r.stderr).toBe('');
  });

  it.each(commands)('%s --no-such-flag is a usage error: exit 1, one Error and one Hint line', async (id) => {
    const r = await sched(exec, [...id.split(':'), '--no-such-flag'], env);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `Error: unknown flag --no-such-flag for \`sched ${id}\`\nHint: Run \`sched ${id} --help\` for its usage.\n`,
    );
  });

  it('the version: --version, -v and sched version say the same', async () => {
    const [long, short, command] = await Promise.all(
      [['--version'], ['-v'], ['version']].map((a) => sched(exec, a, env)),
    );
    expect(long!.exitCode).toBe(0);
    expect(long!.stdout).toMatch(/^sched\/\d+\.\d+\.\d+ /);
    expect(short).toEqual(long);
    expect(command).toEqual(long);
  });

  it('plan -h through the fast path is the same help as plan --help', async () => {
    const [short, long] = await Promise.all([
      sched(exec, ['plan', '-h'], env),
      sched(exec, ['plan', '--help'], env),
    ]);
    expect(short).toEqual(long);
  });
});
