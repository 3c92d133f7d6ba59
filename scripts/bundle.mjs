#!/usr/bin/env node
// Build step: bundles the code paths bin/run.js takes without oclif, each into one CommonJS file
// in a folder at the same depth as its sources, so relative URLs (../../bin/run.js,
// ../../schemas/, ../build-id.txt) resolve alike:
// - dist/run/cli.js → dist/run-bundle/cli.cjs: `sched run`, started on every fire of every job;
// - dist/cli/fast-commands.js → dist/cli-bundle/fast-commands.cjs: `sched plan` and `sched apply`
//   in their common forms, with the error reporter, so an error thrown inside meets the classes
//   that explain it.
// bin/run.js (CommonJS) requires them: one file instead of dozens of modules, and node's ES module
// loader never loads a module (about 10 ms a start; npm run bench). Packages from node_modules
// stay external; code only some starts need stays in functions run on first use.
import { build } from 'esbuild';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/**
 * Bundles `entry` (relative to dist/) into one CommonJS file, dist/`out`/`file`. `import.meta.url`
 * becomes the file's own URL. esbuild wraps each node built-in a module imports by default
 * (`import fs from 'node:fs'`) in a copy of all its properties, once per importing module (~4 ms a
 * start); that wrap is replaced by one that copies nothing.
 */
async function bundle(entry, out, file) {
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
  // The precompiled schema validator is looked up beside the module that loads it.
  copyFileSync(`${dist}config/schema-validator.cjs`, `${outdir}/schema-validator.cjs`);
  console.log(`wrote ${outfile}`);
}

await bundle('run/cli.js', 'run-bundle', 'cli.cjs');
await bundle('cli/fast-commands.js', 'cli-bundle', 'fast-commands.cjs');
