#!/usr/bin/env node
// Build step: bundles `sched run`'s code (dist/run/cli.js and what it imports) into
// dist/run-bundle/, which bin/run.js loads. `sched run` starts on every fire of every job, and
// loading two modules instead of fifteen saves a good part of its start (bench/run-overhead.mjs).
// Packages from node_modules stay external; code it imports lazily (YAML loading for -f,
// catch-up) stays in separate chunks, loaded only when used. The bundle sits at the same depth as dist/run/, so
// its relative URLs (../../bin/run.js, ../../schemas/, ../build-id.txt) resolve alike.
import { build } from 'esbuild';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outdir = `${dist}run-bundle`;
rmSync(outdir, { recursive: true, force: true });
const entry = `${dist}run/cli.js`;
const options = {
  entryPoints: [entry],
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
// every target of a dynamic import — so the code every run loads came in a dozen chunks: a dozen
// module loads (resolve, read, link), ~10 ms of wall and ~18 ms of CPU a run. Each lazily
// imported module is made to import the entry as well: every module the entry needs is then
// reached by the same set of entry points and lands in one chunk. Nothing loads earlier or twice:
// the entry and what it imports are loaded before any lazy module can be.
const { metafile } = await build({ ...options, write: false, metafile: true });
const lazy = new Set(
  Object.values(metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.kind === 'dynamic-import' && !i.external).map((i) => path.resolve(i.path)),
  ),
);
lazy.delete(path.resolve(entry));
await build({
  ...options,
  plugins: [
    {
      name: 'lazy-modules-import-the-entry',
      setup(b) {
        b.onLoad({ filter: /\.js$/ }, (args) =>
          lazy.has(args.path)
            ? {
                contents: `${readFileSync(args.path, 'utf8')}\nimport ${JSON.stringify(entry)};\n`,
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
