/**
 * The packed package, installed as a user would (`npm install -g sched-<v>.tgz` into a temporary
 * prefix): the README's Quick start must run as written from it, and the package ships what the
 * README and help texts link to (docs/, schemas/, LICENSE) and no source maps of unshipped sources.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, REPO_ROOT } from './helpers/cli.js';

const skip = cliSkipReason();
if (skip) console.warn(`skipping the package test: ${skip}`);

describe.skipIf(skip)('the packed package', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sched-pack-'));
  const prefix = path.join(tmp, 'prefix');
  const project = path.join(tmp, 'quickstart');
  let files: string[] = [];
  const sched = (args: string[], cwd = project): SpawnSyncReturns<string> =>
    spawnSync(path.join(prefix, 'bin', 'sched'), args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', SCHED_HOME: path.join(tmp, 'state') },
    });

  beforeAll(() => {
    const npm = (args: string[], cwd: string) => {
      const r = spawnSync('npm', args, { cwd, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    // dist/ is already built by `npm test`: skip `prepare` so packing does not rebuild it.
    const packed = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], REPO_ROOT),
    ) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = packed[0]!.files.map((f) => f.path);
    npm(
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        path.join(tmp, packed[0]!.filename),
      ],
      tmp,
    );
    spawnSync('mkdir', ['-p', project]);
  }, 300_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('ships the docs, schema and license the README links, and no source maps', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'schemas/schedules.schema.json',
      'docs/plan-json.md',
      'bin/run.js',
      // The help texts the fast path prints (`sched --help` without oclif).
      'dist/help.json',
      // The library: its entry, its declarations, its docs and example.
      'dist/api.js',
      'dist/api.d.ts',
      'docs/api.md',
      'docs/mcp.md',
      'examples/api/register.ts',
    ])
      expect(files).toContain(f);
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const [, link] of readme.matchAll(/\]\(((?:docs|examples|schemas)\/[^)#]+)/g))
      expect(
        files.some((f) => f === link || f.startsWith(link!)),
        link,
      ).toBe(true);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('runs the Quick start: --version, init, validate, plan', () => {
    const version = sched(['--version'], tmp);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^sched\/\d+\.\d+\.\d+/);

    const init = sched(['init', '--backend', 'embedded']);
    expect(init.status, init.stderr).toBe(0);
    const text = readFileSync(path.join(project, 'schedules.yaml'), 'utf8');
    // The modeline points at a schema file that exists: the installed package's own copy.
    const ref = /\$schema=(\S+)/.exec(text)![1]!;
    expect(existsSync(path.isAbsolute(ref) ? ref : path.join(project, ref)), ref).toBe(true);

    const validate = sched(['validate']);
    expect(validate.status, validate.stderr + validate.stdout).toBe(0);
    const plan = sched(['plan', '--detailed-exitcode']);
    expect(plan.status, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/Plan: 1 to add, 0 to change, 0 to delete\./);
    expect(readdirSync(path.join(prefix, 'lib', 'node_modules', 'sched', 'docs')).length).toBeGreaterThan(3);
  });
});
