#!/usr/bin/env node
// Build step: bundles `sched run`'s code (dist/run/cli.js and what it imports) into
// dist/run-bundle/, which bin/run.js loads. `sched run` starts on every fire of every job, and
// loading one module instead of fifteen saves ~10 ms of its ~45 ms (npm run bench). Packages
// from node_modules stay external; code it imports lazily (YAML loading for -f, catch-up) stays
// in separate chunks, loaded only when used. The bundle sits at the same depth as dist/run/, so
// its relative URLs (../../bin/run.js, ../../schemas/, ../build-id.txt) resolve alike.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outdir = `${dist}run-bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${dist}run/cli.js`],
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
