/**
 * Each backend is a self-contained provider (src/backends/<name>/): the rest of src/ asks the
 * provider table instead of naming backends, `sched run` loads no backend code, and the daemon
 * and the embedded backend no longer import each other.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/backends/registry.js';
import { BACKENDS } from '../../src/model/job.js';
import { folderOf, importsOf, REPO, reachable, sourceFiles } from './imports.js';

const NAMED_BACKEND = new RegExp(`'(${BACKENDS.join('|')})'`);

/**
 * The files outside src/backends/ that still name a backend in a string literal, each with why.
 * The list may only shrink (at most three, the target).
 */
const STILL_NAMING_BACKENDS: Record<string, string> = {
  'src/model/job.ts': 'the generic backend-name type (BACKENDS)',
  'src/services/import.ts': "the import readers and crontab's one-write takeover",
};

describe('backend providers', () => {
  it('names a backend in a string literal only in src/backends/ and the few files listed here', () => {
    const naming = sourceFiles()
      .filter((f) => !f.startsWith('src/backends/'))
      .filter((f) => NAMED_BACKEND.test(readFileSync(path.join(REPO, f), 'utf8')));
    expect(naming).toEqual(Object.keys(STILL_NAMING_BACKENDS).sort());
    expect(naming.length).toBeLessThanOrEqual(3);
  });

  it('has one provider per backend name, under its own name', () => {
    expect(Object.keys(PROVIDERS).sort()).toEqual([...BACKENDS].sort());
    for (const [name, provider] of Object.entries(PROVIDERS)) expect(provider.name).toBe(name);
    expect(Object.values(PROVIDERS).filter((p) => p.fallback)).toHaveLength(1);
  });

  it('keeps sched run free of backend code (what scripts/bundle.mjs bundles)', () => {
    const run = [...reachable('src/run/cli.ts')];
    expect(run.length).toBeGreaterThan(10);
    // backends/invocation.ts is the one `sched run` argv spec every backend builds from and the
    // wrapper parses with: shared by all, specific to none, and free of backend imports itself.
    const shared = new Set(['src/backends/invocation.ts', 'src/backends/types.ts']);
    expect(run.filter((f) => f.startsWith('src/backends/') && !shared.has(f))).toEqual([]);
  });

  it('has no import cycle between src/daemon/ and src/backends/', () => {
    const edges = new Set<string>();
    for (const file of sourceFiles())
      for (const target of importsOf(file)) edges.add(`${folderOf(file)}->${folderOf(target)}`);
    expect(edges.has('daemon->backends') && edges.has('backends->daemon')).toBe(false);
    expect(edges.has('backends->daemon')).toBe(false);
  });
});
