/**
 * The loader's cache: a load of bytes seen before gives exactly what a full load gives — the
 * project, and every diagnostic at its position — including when the clock or the file system
 * changed in between; anything else is a full load.
 */
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadCache, type LoadOptions } from '../../src/config/load.js';
import { StateLoadCache } from '../../src/state/load-cache.js';

/** An in-memory cache that counts what the loader does with it. */
class CountingCache implements LoadCache {
  readonly entries = new Map<string, string>();
  writes = 0;
  constructor(readonly build = 'test-build') {}
  read(key: string): string | undefined {
    return this.entries.get(key);
  }
  write(key: string, text: string): void {
    this.writes++;
    this.entries.set(key, text);
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sched load-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE: LoadOptions = {
  displayName: 'schedules.yaml',
  now: new Date('2026-06-01T12:00:00Z'),
  hostTimezone: 'UTC',
};

async function write(text: string): Promise<string> {
  const file = path.join(dir, 'schedules.yaml');
  await writeFile(file, text);
  return file;
}

const VALID = `version: 1
project: cached
jobs:
  report:
    schedule: "0 9 1-7 * 1"   # day-of-month AND day-of-week: a warning with a position
    command: [echo, report]
  once:
    schedule: { at: "2026-06-02 08:00" }
    command: echo once
    env_file: .env
  backup:
    schedule: day
    command: ["tar", "czf", "/tmp/b.tgz", "."]
    working_dir: data
`;

async function validFile(): Promise<string> {
  await writeFile(path.join(dir, '.env'), 'A=1\n', { mode: 0o600 });
  await chmod(path.join(dir, '.env'), 0o600);
  await mkdir(path.join(dir, 'data'));
  return write(VALID);
}

describe('loadProject with a cache', () => {
  it('a second load of the same bytes is served from the cache and equals a full load', async () => {
    const file = await validFile();
    const cache = new CountingCache();
    const full = await loadProject(file, BASE);
    expect(full.project?.jobs.map((j) => j.name)).toEqual(['report', 'once', 'backup']);
    expect(full.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([['dom-or-dow', 5, 15]]);

    const first = await loadProject(file, { ...BASE, cache });
    expect(cache.writes).toBe(1);
    const second = await loadProject(file, { ...BASE, cache });
    expect(cache.writes).toBe(1); // a hit writes nothing
    expect(first).toEqual(full);
    expect(second).toEqual(full);
  });

  it('uses the entry: a hit returns what was stored, not a new parse', async () => {
    const file = await validFile();
    const cache = new CountingCache();
    await loadProject(file, { ...BASE, cache });
    const [key, text] = [...cache.entries][0]!;
    expect(text).toContain('["echo","report"]');
    cache.entries.set(key, text.replace('["echo","report"]', '["echo","from the cache"]'));
    const hit = await loadProject(file, { ...BASE, cache });
    expect(hit.project?.jobs[0]?.command).toEqual({ argv: ['echo', 'from the cache'] });
  });

  it('changed bytes, another build, another display name or host zone: a full load', async () => {
    const file = await validFile();
    const cache = new CountingCache();
    await loadProject(file, { ...BASE, cache });
    await writeFile(file, VALID.replace('echo, report', 'echo, changed'));
    const changed = await loadProject(file, { ...BASE, cache });
    expect(changed.project?.jobs[0]?.command).toEqual({ argv: ['echo', 'changed'] });
    expect(cache.writes).toBe(2);

    const other = new CountingCache('another-build');
    other.entries.set(...[...cache.entries][0]!);
    await loadProject(file, { ...BASE, cache: other });
    expect(other.writes).toBe(1);

    await loadProject(file, { ...BASE, cache, displayName: './schedules.yaml' });
    expect(cache.writes).toBe(3);
    const berlin = await loadProject(file, { ...BASE, cache, hostTimezone: 'Europe/Berlin' });
    expect(cache.writes).toBe(4);
    expect(berlin.project?.jobs[0]?.timezone).toBe('Europe/Berlin');
  });

  it('a one-shot time that has passed since: the error a full load gives, at its position', async () => {
    const file = await validFile();
    const cache = new CountingCache();
    await loadProject(file, { ...BASE, cache });
    const later = { ...BASE, now: new Date('2026-06-03T00:00:00Z') };
    const cached = await loadProject(file, { ...later, cache });
    const full = await loadProject(file, later);
    expect(cached).toEqual(full);
    expect(cached.project).toBeUndefined();
    expect(cached.diagnostics.find((d) => d.code === 'at-in-past')).toMatchObject({ line: 8, col: 21 });
  });

  it('an env_file made readable by others, or a working_dir removed, since: the full load’s errors', async () => {
    const file = await validFile();
    const cache = new CountingCache();
    await loadProject(file, { ...BASE, cache });

    await chmod(path.join(dir, '.env'), 0o644);
    await rm(path.join(dir, 'data'), { recursive: true });
    const cached = await loadProject(file, { ...BASE, cache });
    const full = await loadProject(file, BASE);
    expect(cached).toEqual(full);
    expect(cached.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['dom-or-dow', 5],
      ['env-file-permissions', 10],
      ['working-dir-missing', 14],
    ]);
  });

  it('caches no file with errors', async () => {
    const file = await write('version: 1\njobs:\n  a: {schedule: "61 * * * *", command: x}\n');
    const cache = new CountingCache();
    const r = await loadProject(file, { ...BASE, cache });
    expect(r.diagnostics[0]?.code).toBe('bad-schedule');
    expect(cache.writes).toBe(0);
  });

  it('every valid example and golden case loads the same with and without the cache', async () => {
    const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const files = [path.join(repo, 'schedules.yaml')];
    for (const base of ['examples', 'test/golden/validate']) {
      for (const d of await readdir(path.join(repo, base), { withFileTypes: true }))
        if (d.isDirectory()) files.push(path.join(repo, base, d.name, 'schedules.yaml'));
    }
    const cache = new CountingCache();
    let served = 0;
    for (const f of files) {
      if (!(await stat(f).catch(() => undefined))) continue;
      const full = await loadProject(f, BASE);
      await loadProject(f, { ...BASE, cache });
      const writes = cache.writes;
      const again = await loadProject(f, { ...BASE, cache });
      if (cache.writes === writes && full.project) served++;
      expect(again, f).toEqual(full);
    }
    expect(served).toBeGreaterThanOrEqual(5);
  });
});

describe('StateLoadCache (the cache in the state directory)', () => {
  it('keeps entries 0600 in a 0700 directory, and round-trips them', async () => {
    const cache = new StateLoadCache(path.join(dir, 'state'), 'b1');
    expect(cache.read('/x/schedules.yaml')).toBeUndefined();
    cache.write('/x/schedules.yaml', '{"a":1}');
    expect(cache.read('/x/schedules.yaml')).toBe('{"a":1}');
    expect(cache.read('/y/schedules.yaml')).toBeUndefined();
    const cacheDir = path.join(dir, 'state', 'cache');
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    const [entry] = await readdir(cacheDir);
    expect(entry).toMatch(/^load-[0-9a-f]{32}\.json$/);
    expect((await stat(path.join(cacheDir, entry!))).mode & 0o777).toBe(0o600);
  });

  it('never follows a symlink: a planted link is neither read nor written through', async () => {
    const state = path.join(dir, 'state');
    const cache = new StateLoadCache(state, 'b1');
    cache.write('/x/schedules.yaml', '{}');
    const cacheDir = path.join(state, 'cache');
    const [entry] = await readdir(cacheDir);
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'precious');
    await rm(path.join(cacheDir, entry!));
    await symlink(victim, path.join(cacheDir, entry!));
    expect(cache.read('/x/schedules.yaml')).toBeUndefined();
    cache.write('/x/schedules.yaml', '{"evil":1}');
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect((await lstat(path.join(cacheDir, entry!))).isSymbolicLink()).toBe(true);
  });
});
