/**
 * What a scheduled `sched run` loads before it runs the job: the bundle's entry and the one chunk
 * it imports (scripts/bundle-run.mjs), node built-ins, and no package. Each further module is a
 * resolve, a read and a link on every fire of every job; lazy code (YAML, catch-up, the schedule
 * engine, notifications, error reports) stays in chunks loaded only when used.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BUNDLE = path.resolve(import.meta.dirname, '../../dist/run-bundle');

/** The static imports of a bundle file (`import … from "x"`, `import "x"`), not `import("x")`. */
function staticImports(file: string): string[] {
  const text = readFileSync(path.join(BUNDLE, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s(?:[^"'();]*?\sfrom\s)?["']([^"']+)["']/gm)].map(
    (m) => m[1]!,
  );
}

/** Every module `cli.js` loads before its code runs, bundle files relative to the bundle. */
function staticClosure(): { files: string[]; others: string[] } {
  const files = new Set<string>();
  const others = new Set<string>();
  const todo = ['./cli.js'];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (!next.startsWith('./')) {
      others.add(next);
      continue;
    }
    const file = next.slice(2);
    if (files.has(file)) continue;
    files.add(file);
    todo.push(...staticImports(file));
  }
  return { files: [...files].sort(), others: [...others].sort() };
}

describe('the sched run bundle', () => {
  it('loads two bundle files and node built-ins only before the job runs', () => {
    expect(existsSync(path.join(BUNDLE, 'cli.js')), 'build first (npm run build)').toBe(true);
    const { files, others } = staticClosure();
    expect(files).toHaveLength(2);
    expect(files).toContain('cli.js');
    expect(others.filter((m) => !m.startsWith('node:'))).toEqual([]);
    // The lazy parts are there, outside what loads up front.
    const all = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
    expect(all.length).toBeGreaterThan(files.length + 5);
    const lazyText = all
      .filter((f) => !files.includes(f))
      .map((f) => readFileSync(path.join(BUNDLE, f), 'utf8'))
      .join('\n');
    expect(lazyText).toMatch(/from "yaml"/);
  });
});
