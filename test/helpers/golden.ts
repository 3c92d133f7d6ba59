/**
 * The one golden-file helper. A golden test compares what the code produces with a file checked in
 * under test/golden/; `UPDATE_GOLDEN=1` rewrites the files instead (review the diff before
 * committing). A missing golden file is a failure, never silently created: a test that writes its
 * own expectation asserts nothing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** True when the run was asked to rewrite golden files rather than compare with them. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

function missing(file: string): Error {
  return new Error(`missing golden file ${file}; run with UPDATE_GOLDEN=1 and review the diff`);
}

/**
 * Expects `actual` to equal the golden `file` byte for byte (a string is compared as UTF-8 text, a
 * Buffer as bytes). With UPDATE_GOLDEN=1 writes `actual` to `file` (creating its folder) instead.
 */
export function expectGolden(file: string, actual: string | Buffer): void {
  if (UPDATE_GOLDEN) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw missing(file);
  if (typeof actual === 'string') expect(actual, file).toBe(readFileSync(file, 'utf8'));
  else expect(actual.equals(readFileSync(file)), `${file} differs`).toBe(true);
}

/**
 * Expects the golden folder `dir` to hold exactly the files of `files` (name → content), each byte
 * for byte. With UPDATE_GOLDEN=1 replaces the folder's content with `files` instead, so a file the
 * code no longer produces disappears from the golden folder too.
 */
export function expectGoldenDir(dir: string, files: Record<string, string>): void {
  if (UPDATE_GOLDEN) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return;
  }
  if (!existsSync(dir)) throw missing(dir);
  expect(readdirSync(dir).sort(), dir).toEqual(Object.keys(files).sort());
  for (const [name, content] of Object.entries(files)) expectGolden(path.join(dir, name), content);
}
