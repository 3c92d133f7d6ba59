/**
 * `sched run JOB` by hand finds the project of ./schedules.yaml without loading the YAML when the
 * file is unchanged since sched last read it (state/project-of-file.ts), and reads it again the
 * moment it is not the same file — edited, replaced, touched — or the cache cannot be trusted.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/config/load.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/config/load.js')>();
  return {
    ...real,
    loadProject: (...args: Parameters<typeof real.loadProject>) => {
      loads.count++;
      return real.loadProject(...args);
    },
  };
});

const { resolveProjectName } = await import('../../src/run/project.js');
const { rememberedProject } = await import('../../src/state/project-of-file.js');

let dir: string;
let root: string;
let file: string;
const yaml = (project: string) =>
  `version: 1\nproject: ${project}\nbackend: embedded\njobs:\n  a: {schedule: hour, command: [echo, a]}\n`;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sched-project-of-file-'));
  root = path.join(dir, 'state');
  mkdirSync(root, { mode: 0o700 });
  file = path.join(dir, 'schedules.yaml');
  writeFileSync(file, yaml('billing'));
  loads.count = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const resolve = () => resolveProjectName({ cwd: dir, stateRoot: root });

describe('the project of a schedules file, remembered', () => {
  it('reads the YAML once, then answers from the state directory', async () => {
    expect(await resolve()).toBe('billing');
    expect(loads.count).toBe(1);
    expect(await resolve()).toBe('billing');
    expect(await resolve()).toBe('billing');
    expect(loads.count).toBe(1);
    expect(rememberedProject(root, file)).toBe('billing');
  });

  it('reads the YAML again when the file changed, even to the same size and time', async () => {
    expect(await resolve()).toBe('billing');
    writeFileSync(file, yaml('payroll'));
    // Same length and a restored modification time: the status-change time still differs.
    utimesSync(file, new Date(0), new Date(0));
    expect(await resolve()).toBe('payroll');
    expect(loads.count).toBe(2);
    expect(await resolve()).toBe('payroll');
    expect(loads.count).toBe(2);
  });

  it('reads the YAML again when the file is replaced by another one (rename over it)', async () => {
    expect(await resolve()).toBe('billing');
    const other = path.join(dir, 'other.yaml');
    writeFileSync(other, yaml('billing'.replace('b', 'c')));
    rmSync(file);
    symlinkSync(other, file);
    expect(await resolve()).toBe('cilling');
    expect(loads.count).toBe(2);
  });

  it('never trusts a cache directory others can write, nor a link in its place', async () => {
    expect(await resolve()).toBe('billing');
    chmodSync(path.join(root, 'cache'), 0o777);
    expect(rememberedProject(root, file)).toBeUndefined();
    expect(await resolve()).toBe('billing');
    expect(loads.count).toBe(2);
    rmSync(path.join(root, 'cache'), { recursive: true });
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'sched-elsewhere-'));
    symlinkSync(elsewhere, path.join(root, 'cache'));
    try {
      expect(await resolve()).toBe('billing');
      expect(await resolve()).toBe('billing');
      expect(loads.count).toBe(4);
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('creates no state directory for a run by hand, and remembers nothing for an invalid file', async () => {
    rmSync(root, { recursive: true });
    expect(await resolve()).toBe('billing');
    expect(readdirSync(dir)).toEqual(['schedules.yaml']);
    mkdirSync(root, { mode: 0o700 });
    writeFileSync(file, 'version: 1\nproject: Bad Name\njobs: {}\n');
    await expect(resolve()).rejects.toThrow(/project/);
    expect(rememberedProject(root, file)).toBeUndefined();
  });
});
