/**
 * Issue 12.17: `plan --out` kept an existing file's 0644 mode and wrote through a symlink, and
 * `plan`'s load cache followed a state root that is a symlink (apply and run refuse one). The
 * saved plan is a fresh 0600 file, a symlink is refused, and nothing is written through a
 * symlinked state root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from '../e2e/helpers/cli.js';
import { tempDir } from '../run/helpers.js';

const skip = cliSkipReason();
const YAML = `version: 1\nproject: planout\nbackend: embedded\njobs:\n  a:\n    schedule: day\n    command: ["true"]\n`;

describe.skipIf(skip)('plan --out and the plan cache', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = tempDir('sched-planout-');
    fs.writeFileSync(path.join(dir, 'schedules.yaml'), YAML);
    env = { SCHED_HOME: path.join(dir, 'state') };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the plan 0600 even over an existing 0644 file', async () => {
    const out = path.join(dir, 'plan.json');
    fs.writeFileSync(out, 'old', { mode: 0o644 });
    fs.chmodSync(out, 0o644);
    const r = await sched(localExec(dir), ['plan', '--out', out], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toHaveProperty('project', 'planout');
  });

  it('refuses to write the plan through a symlink', async () => {
    const target = path.join(dir, 'elsewhere.json');
    fs.writeFileSync(target, 'untouched');
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(target, link);
    const r = await sched(localExec(dir), ['plan', '--out', link], env);
    expect(r.stderr).toContain(`refusing to use ${link}: it is a symbolic link`);
    expect(r.exitCode).toBe(1);
    expect(fs.readFileSync(target, 'utf8')).toBe('untouched');
  });

  it('writes no cache through a state root that is a symlink', async () => {
    const target = tempDir('sched-planout-target-');
    const root = path.join(dir, 'linked-state');
    fs.symlinkSync(target, root);
    const r = await sched(localExec(dir), ['plan'], { SCHED_HOME: root });
    expect(r.exitCode, r.stderr).not.toBe(undefined);
    expect(fs.readdirSync(target)).toEqual([]);
  });
});
