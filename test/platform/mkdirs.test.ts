/**
 * makeDirsSync: `mkdir -p` that ends on every path — procfs included, where Node's recursive
 * mkdir never returns — with a FileSystemError naming the folder when it cannot.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemError } from '../../src/errors.js';
import { makeDirsSync } from '../../src/platform/mkdirs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sched-mkdirs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeDirsSync', () => {
  it('creates the missing folders with the mode, and accepts a folder that exists', () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    makeDirsSync(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(path.join(dir, 'a')).mode & 0o777).toBe(0o700);
    expect(() => makeDirsSync(deep)).not.toThrow();
  });

  it('names the file that stands where a folder must be', () => {
    writeFileSync(path.join(dir, 'file'), '');
    const err = (() => {
      try {
        makeDirsSync(path.join(dir, 'file', 'x'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FileSystemError);
    expect((err as FileSystemError).message).toContain(`${path.join(dir, 'file')} is a file, not a folder`);
  });

  it.skipIf(!existsSync('/proc/self'))('ends with an error on procfs', () => {
    expect(() => makeDirsSync('/proc/sched-mkdirs-test/x')).toThrow(
      /cannot create the folder \/proc\/sched-mkdirs-test: that file system takes no new folders/,
    );
  });
});
