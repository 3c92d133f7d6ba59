#!/usr/bin/env node
// Build step: bundles the commands bin/run.js runs without oclif (`sched plan`, `sched apply`:
// dist/cli/fast-commands.js and everything it imports, lazily imported modules included) into
// ONE file, dist/cli-bundle/fast-commands.js. Loading some 70 modules one by one was a third of a
// small plan (npm run bench); one file, whose functions V8 compiles only when called, costs a
// fraction. Packages from node_modules stay external. The bundle sits at the same depth as
// dist/cli/, so its relative URLs (../../bin/run.js, ../../schemas/, ../build-id.txt) resolve alike.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outdir = `${dist}cli-bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${dist}cli/fast-commands.js`],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir,
  logLevel: 'warning',
});
// The precompiled schema validator is looked up beside the module that loads it.
copyFileSync(`${dist}config/schema-validator.cjs`, `${outdir}/schema-validator.cjs`);
console.log(`wrote ${outdir}`);
