/**
 * `sched --version`, `-v`, `version`, `--help`, `help [CMD]` and `CMD --help`/`-h` answered by the
 * fast path (bin/run.js without oclif) must be byte-identical to oclif's answers — compared here
 * for every command of the manifest, against the same CLI with SCHED_NO_FAST_PATH=1. The forms
 * compared are also checked to be served by the fast path (not silently left to oclif).
 */
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { infoOutput, readHelpCache, userAgent } from '../../src/cli/fast-info.js';
import { cliSkipReason, REPO_ROOT, SCHED_BIN } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] help fast path: ${skip}`);

/** A pipe's environment with nothing that turns colour on (as a script's `sched --help | grep`). */
const plainEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };

function sched(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [SCHED_BIN, ...args], { env: { ...plainEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const oclif = (args: string[]) => sched(args, { SCHED_NO_FAST_PATH: '1' });

/** What the fast path answers in that environment, in-process (undefined: left to oclif). */
const served = (args: string[]) =>
  infoOutput(args, {
    env: plainEnv,
    stdoutIsTTY: false,
    userAgent: () => userAgent(new URL('package.json', `file://${REPO_ROOT}/`)),
    helpCache: () => readHelpCache(new URL('dist/help.json', `file://${REPO_ROOT}/`)),
  });

const ids = skip
  ? []
  : Object.keys(
      (
        JSON.parse(readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
          commands: Record<string, unknown>;
        }
      ).commands,
    );

describe.skipIf(skip)('version and help: fast path and oclif agree byte for byte', () => {
  it.each([[['--version']], [['-v']], [['version']], [[]], [['--help']], [['-h']], [['help']]])(
    'sched %j',
    async (args) => {
      const [fast, slow] = await Promise.all([sched(args), oclif(args)]);
      expect(slow.code).toBe(0);
      expect(fast).toEqual(slow);
      expect(served(args)).toBe(slow.stdout);
    },
    120_000,
  );

  it('covers every command of the manifest, and each has an example', () => {
    expect(ids.length).toBeGreaterThan(20);
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { examples?: string[] }>;
    };
    expect(ids.filter((id) => (manifest.commands[id]!.examples ?? []).length === 0)).toEqual([]);
  });

  describe.concurrent.each(ids)('sched %s', (id) => {
    it('--help, -h and `help ID`: the fast answer is oclif’s', async () => {
      const [fast, viaOclif, short, helpCmd] = await Promise.all([
        sched([id, '--help']),
        oclif([id, '--help']),
        oclif([id, '-h']),
        oclif(['help', id]),
      ]);
      expect(viaOclif.code).toBe(0);
      // The shape of every command's help, `run` included (its help was once hand-written).
      expect(viaOclif.stdout).toMatch(/^USAGE|\nUSAGE\n/);
      // An example is a command line, alone or under its description.
      expect(viaOclif.stdout).toMatch(/\nEXAMPLES\n( {2}\S.*\n\n {2})? {2}\$ sched /);
      expect(fast).toEqual(viaOclif);
      expect(served([id, '--help'])).toBe(viaOclif.stdout);
      expect(served([id, '-h'])).toBe(short.stdout);
      expect(served(['help', id])).toBe(helpCmd.stdout);
    }, 180_000);
  });
});
