/**
 * A small import-graph reader for the architecture tests: every relative import of every .ts file
 * under src/ — static (`from '…'`, `import '…'`) and dynamic (`import('…')`) — resolved to the
 * .ts file it names. Regular expressions suffice: sched's sources are formatted by prettier and
 * import only with string literals.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SRC = path.join(REPO, 'src');

/** Every .ts file under `dir`, as paths relative to the repository (`src/run/wrapper.ts`). */
export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(path.relative(REPO, full).split(path.sep).join('/'));
  }
  return out.sort();
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

/** The modules `file` imports (relative imports only), as repository-relative .ts paths. */
export function importsOf(file: string, { withTypeImports = true } = {}): string[] {
  const text = readFileSync(path.join(REPO, file), 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(IMPORT)) {
    // `import type … from` erases at compile time: it cannot load a module.
    const statementStart = text.lastIndexOf('\n', m.index) + 1;
    const statement = text.slice(statementStart, m.index + m[0].length);
    if (!withTypeImports && /^\s*(?:import|export)\s+type\b/.test(statement)) continue;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
    found.add(target.replace(/\.js$/, '.ts'));
  }
  return [...found].sort();
}

/** The folder of src/ a module belongs to (`backends`, `daemon`…; `src` for top-level files). */
export function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : 'src';
}

/** Every module reachable from `entry` through imports that load code at run time. */
export function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...importsOf(file, { withTypeImports: false }));
  }
  return seen;
}
