import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDirNoSymlink } from '../../src/platform/node.js';
import { ensureDirSync, readTextSync, writeAtomicSync, appendTextSync } from '../../src/state/files.js';
import { stateRoot } from '../../src/state/paths.js';
import { tempDir } from '../run/helpers.js';

describe('state files', () => {
  it('creates directories 0700 and files 0600, atomically replacing content', () => {
    const base = tempDir();
    const dir = path.join(base, 'root', 'a', 'b');
    ensureDirSync(dir, base);
    for (const d of [path.join(base, 'root'), path.join(base, 'root', 'a'), dir]) {
      expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    }
    const file = path.join(dir, 'x.json');
    writeAtomicSync(file, 'one');
    writeAtomicSync(file, 'two');
    expect(readTextSync(file)).toBe('two');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['x.json']); // no temp file left behind
  });

  it('refuses to write, read or append through a symlink', () => {
    const base = tempDir();
    const outside = path.join(tempDir(), 'target');
    fs.writeFileSync(outside, 'secret');
    const link = path.join(base, 'link.json');
    fs.symlinkSync(outside, link);
    expect(() => writeAtomicSync(link, 'x')).toThrow(/symbolic link/);
    expect(() => readTextSync(link)).toThrow(/symbolic link/);
    expect(() => appendTextSync(link, 'x')).toThrow(/symbolic link/);
    expect(fs.readFileSync(outside, 'utf8')).toBe('secret');
  });

  it('refuses a symlinked directory inside the state root', () => {
    const base = tempDir();
    const elsewhere = tempDir();
    fs.mkdirSync(path.join(base, 'root'));
    fs.symlinkSync(elsewhere, path.join(base, 'root', 'projects'));
    expect(() => ensureDirSync(path.join(base, 'root', 'projects', 'p'), base)).toThrow(/symbolic link/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('ensureDirNoSymlink (the async wrapper) honours its mode and refuses a symlinked component', async () => {
    const base = tempDir();
    const dir = path.join(base, 'a', 'b');
    await ensureDirNoSymlink(dir, 0o755); // default base: the filesystem root
    const want = 0o755 & ~process.umask();
    for (const d of [path.join(base, 'a'), dir]) expect(fs.statSync(d).mode & 0o777).toBe(want);
    const elsewhere = tempDir();
    fs.symlinkSync(elsewhere, path.join(base, 'link'));
    await expect(ensureDirNoSymlink(path.join(base, 'link', 'c'), 0o700, base)).rejects.toThrow(
      /symbolic link/,
    );
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('finds the state root from SCHED_HOME, XDG_STATE_HOME, or the platform default', () => {
    expect(stateRoot({ SCHED_HOME: '/x/y' }, 'linux', '/home/u')).toBe('/x/y');
    expect(stateRoot({ XDG_STATE_HOME: '/s' }, 'linux', '/home/u')).toBe('/s/sched');
    expect(stateRoot({}, 'linux', '/home/u')).toBe('/home/u/.local/state/sched');
    expect(stateRoot({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/sched');
  });
});
