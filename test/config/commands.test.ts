/** `sched validate` and `sched init`: the service, and the oclif commands run in-process. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Init from '../../src/commands/init.js';
import Validate from '../../src/commands/validate.js';
import { UserError } from '../../src/errors.js';
import { validateFile } from '../../src/services/validate.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let cwd: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sched-cmd-'));
  cwd = process.cwd();
  process.chdir(dir);
});
afterEach(async () => {
  process.chdir(cwd);
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Runs a command class in-process; returns its stdout, stderr and exit code. */
async function run(cmd: typeof Validate | typeof Init, argv: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  let exitCode = 0;
  try {
    await cmd.run(argv, REPO);
  } catch (err) {
    const e = err as { oclif?: { exit?: number } };
    if (e.oclif?.exit !== undefined) exitCode = e.oclif.exit;
    else throw err;
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr, exitCode };
}

const BROKEN = 'version: 1\njobs:\n  backup:\n    schedule: "0 2 * * *"\n    command: x\n    overlap: skp\n';

describe('validate service', () => {
  it('a missing file is a UserError with a hint', async () => {
    await expect(validateFile('nope.yaml')).rejects.toThrow(UserError);
    await expect(validateFile('nope.yaml')).rejects.toMatchObject({
      message: 'no schedules file at nope.yaml',
    });
  });
  it('a directory is a UserError', async () => {
    await expect(validateFile('.')).rejects.toThrow(/is a directory/);
  });
  it('returns diagnostics and validity', async () => {
    await writeFile('schedules.yaml', BROKEN);
    const r = await validateFile();
    expect(r.valid).toBe(false);
    expect(r.file).toBe('schedules.yaml');
    expect(r.diagnostics.map((d) => [d.line, d.col, d.code])).toEqual([[6, 14, 'bad-value']]);
  });
});

describe('backend checks in validate', () => {
  it('reports what the named backend cannot express, at the job', async () => {
    await writeFile(
      'schedules.yaml',
      [
        'version: 1',
        'project: p',
        'backend: kubernetes',
        'defaults:',
        '  kubernetes: { namespace: batch, image: busybox }',
        'jobs:',
        '  queued:',
        '    schedule: "0 2 * * *"',
        '    command: ["true"]',
        '    overlap: queue',
        '  paused:',
        '    schedule: boot',
        '    command: ["true"]',
        '    enabled: false',
        '',
      ].join('\n'),
    );
    const r = await validateFile();
    expect(r.valid).toBe(false);
    expect(r.project).toBeUndefined();
    // Kubernetes keeps a paused job registered (suspended), so the paused boot job is checked too.
    expect(r.diagnostics.map((d) => [d.line, d.code])).toEqual([
      [8, 'backend-kubernetes'],
      [12, 'backend-kubernetes'],
    ]);
    expect(r.diagnostics[0]!.message).toMatch(/^job 'queued' cannot run on kubernetes: .*queue/);
    const skipped = await validateFile('schedules.yaml', { checkBackend: false });
    expect(skipped.valid).toBe(true);
  });
});

describe('sched validate', () => {
  it('exits 0 and says so for a valid file', async () => {
    await writeFile(
      'schedules.yaml',
      'version: 1\nproject: p\njobs:\n  a:\n    schedule: day\n    command: ["true"]\n',
    );
    const r = await run(Validate, []);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("schedules.yaml: valid (project 'p', 1 job)\n");
  });

  it('exits 1 with compiler-style text', async () => {
    await writeFile('schedules.yaml', BROKEN);
    const r = await run(Validate, []);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      "schedules.yaml:6:14: error: overlap in job 'backup' must be one of skip, queue, replace, allow",
    );
    expect(r.stdout).toContain('   6 |     overlap: skp\n     |              ^\n');
  });

  it('--format json prints the diagnostics in an object with format_version', async () => {
    await writeFile('other.yaml', BROKEN);
    const r = await run(Validate, ['-f', 'other.yaml', '--format', 'json']);
    expect(r.exitCode).toBe(1);
    const printed = JSON.parse(r.stdout) as {
      format_version: number;
      valid: boolean;
      diagnostics: { file: string; line: number; col: number; code: string }[];
    };
    expect(printed).toMatchObject({ format_version: 2, file: 'other.yaml', valid: false });
    const parsed = printed.diagnostics;
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({
      file: 'other.yaml',
      line: 6,
      col: 14,
      severity: 'error',
      code: 'bad-value',
    });
  });

  it('--format github prints annotations', async () => {
    await writeFile('schedules.yaml', BROKEN);
    const r = await run(Validate, ['--format', 'github']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=schedules\.yaml,line=6,col=14,title=sched bad-value::overlap in job 'backup'/,
    );
  });

  it('a missing file: a clear message, exit 1, no stack trace', async () => {
    const r = await run(Validate, ['-f', 'missing.yaml']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Error: no schedules file at missing.yaml\nHint: Create one with `sched init`, or give the path of another with -f FILE.\n',
    );
  });
});

describe('sched init', () => {
  it('writes a starter that validates, then refuses to overwrite it', async () => {
    const r = await run(Init, ['--project', 'demo', '--backend', 'crontab']);
    expect(r.exitCode).toBe(0);
    const text = await readFile('schedules.yaml', 'utf8');
    expect(text.split('\n')[0]).toBe(
      `# yaml-language-server: $schema=${path.join(REPO, 'schemas', 'schedules.schema.json')}`,
    );
    expect(text).toMatch(/^project: demo\b/m);
    expect(text).toMatch(/^backend: crontab\b/m);
    const v = await run(Validate, []);
    expect(v.exitCode).toBe(0);

    await writeFile('schedules.yaml', 'mine\n');
    const again = await run(Init, []);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(await readFile('schedules.yaml', 'utf8')).toBe('mine\n');
  });

  it('defaults the project to the folder name and rejects a bad --project', async () => {
    const r = await run(Init, ['-f', 'a.yaml']);
    expect(r.exitCode).toBe(0);
    const slug = path
      .basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-');
    expect(await readFile('a.yaml', 'utf8')).toMatch(new RegExp(`^project: ${slug}\\b`, 'm'));
    const bad = await run(Init, ['-f', 'b.yaml', '--project', 'Not Valid']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("invalid project name 'Not Valid'");
  });

  it('reports a missing folder', async () => {
    const r = await run(Init, ['-f', 'no/such/dir/schedules.yaml']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('does not exist');
  });
});
