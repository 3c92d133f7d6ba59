#!/usr/bin/env node
// Build step: bundles the code paths bin/run.js takes without oclif, each into a folder at the
// same depth as its sources, so relative URLs (../../bin/run.js, ../../schemas/, ../build-id.txt)
// resolve alike:
// - dist/run/cli.js → dist/run-bundle/cli.cjs: `sched run`, started on every fire of every job,
//   as one CommonJS file that bin/run.js (CommonJS) requires: no ES module loader is started,
//   and the code only some runs need stays in functions run on first use;
// - dist/cli/fast-commands.js → dist/cli-bundle/: `sched plan` and `sched apply` in their common
//   forms, with the error reporter, so an error thrown inside meets the classes that explain it.
// Loading two modules instead of dozens saves a good part of a start (npm run bench). Packages
// from node_modules stay external; code imported lazily stays in chunks loaded only when used.
import { build } from 'esbuild';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** Bundles `entry` (relative to dist/) into dist/`out`/. */
async function bundle(entry, out) {
  const outdir = `${dist}${out}`;
  rmSync(outdir, { recursive: true, force: true });
  const entryPath = `${dist}${entry}`;
  const options = {
    entryPoints: [entryPath],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir,
    logLevel: 'warning',
  };

  // esbuild puts each module in a chunk by the set of entry points that reach it — the entry, and
  // every target of a dynamic import — so the code every start loads came in a dozen chunks: a
  // dozen module loads (resolve, read, link), ~10 ms of wall and ~18 ms of CPU a run. Each lazily
  // imported module is made to import the entry as well: every module the entry needs is then
  // reached by the same set of entry points and lands in one chunk. Nothing loads earlier or
  // twice: the entry and what it imports are loaded before any lazy module can be.
  const { metafile } = await build({ ...options, write: false, metafile: true });
  const lazy = new Set(
    Object.values(metafile.inputs).flatMap((input) =>
      input.imports
        .filter((i) => i.kind === 'dynamic-import' && !i.external)
        .map((i) => path.resolve(i.path)),
    ),
  );
  lazy.delete(path.resolve(entryPath));
  await build({
    ...options,
    plugins: [
      {
        name: 'lazy-modules-import-the-entry',
        setup(b) {
          b.onLoad({ filter: /\.js$/ }, (args) =>
            lazy.has(args.path)
              ? {
                  contents: `${readFileSync(args.path, 'utf8')}\nimport ${JSON.stringify(entryPath)};\n`,
                  loader: 'js',
                  resolveDir: path.dirname(args.path),
                }
              : undefined,
          );
        },
      },
    ],
  });
  // The precompiled schema validator is looked up beside the module that loads it.
  copyFileSync(`${dist}config/schema-validator.cjs`, `${outdir}/schema-validator.cjs`);
  console.log(`wrote ${outdir}`);
}

/**
 * Bundles `entry` into one CommonJS file, dist/`out`/`file`. `import.meta.url` becomes the file's
 * own URL (the folder is at the same depth as the sources). esbuild wraps each node built-in a
 * module imports by default (`import fs from 'node:fs'`) in a copy of all its properties, once per
 * importing module, ~4 ms a start; the wrap is replaced by one that copies nothing.
 */
async function bundleCommonJs(entry, out, file) {
  const outdir = `${dist}${out}`;
  rmSync(outdir, { recursive: true, force: true });
  const outfile = `${outdir}/${file}`;
  await build({
    entryPoints: [`${dist}${entry}`],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
    define: { 'import.meta.url': '__sched_module_url' },
    banner: { js: 'const __sched_module_url = require("node:url").pathToFileURL(__filename).href;' },
  });
  const wrapped = /__toESM\((require\("node:[a-z_/]+"\)), 1\)/g;
  let text = readFileSync(outfile, 'utf8');
  if (!wrapped.test(text) || !text.includes('\nvar __toESM ='))
    throw new Error(`${outfile}: esbuild's wrapping of node built-ins is not where expected`);
  text = text
    .replace(wrapped, '__builtin($1)')
    .replace('\nvar __toESM =', '\nvar __builtin = (m) => ({ __proto__: m, default: m });\nvar __toESM =');
  writeFileSync(outfile, text);
  copyFileSync(`${dist}config/schema-validator.cjs`, `${outdir}/schema-validator.cjs`);
  console.log(`wrote ${outfile}`);
}

await bundleCommonJs('run/cli.js', 'run-bundle', 'cli.cjs');
await bundle('cli/fast-commands.js', 'cli-bundle');
