#!/usr/bin/env node
// Build step: bundles the code paths bin/run.js takes without oclif, each into a folder at the
// same depth as its sources, so relative URLs (../../bin/run.js, ../../schemas/, ../build-id.txt)
// resolve alike:
// - dist/run/cli.js → dist/run-bundle/: `sched run`, started on every fire of every job;
// - dist/cli/fast-commands.js → dist/cli-bundle/: `sched plan` and `sched apply` in their common
//   forms, with the error reporter, so an error thrown inside meets the classes that explain it.
// Loading two modules instead of dozens saves a good part of a start (npm run bench). Packages
// from node_modules stay external; code imported lazily stays in chunks loaded only when used.
import { build } from 'esbuild';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
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

await bundle('run/cli.js', 'run-bundle');
await bundle('cli/fast-commands.js', 'cli-bundle');
