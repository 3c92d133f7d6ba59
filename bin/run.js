#!/usr/bin/env node
// Entry point, CommonJS (bin/package.json): `sched run`, `plan` and `apply` in their common forms
// then never make node's ES module loader load a module, about 10 ms a start; everything else
// loads sched's ES modules with import().
//
// `sched run` is what every scheduler calls on every fire, so it skips oclif (whose
// start-up costs more than the whole wrapper) and goes straight to the same service the oclif
// `run` command uses; so does `sched plan` in its common forms, and the version and help requests
// (answered from the version in package.json and from help texts oclif rendered at build time).
// Everything else goes through oclif, which loads only the command it runs, from the shipped
// manifest. SCHED_NO_FAST_PATH=1 sends everything to oclif: the tests compare both answers.
'use strict';
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const argv = process.argv.slice(2);
const [command, ...rest] = argv;
const fast = process.env.SCHED_NO_FAST_PATH !== '1';

// sched decides colour itself (src/cli/color.ts: a non-empty NO_COLOR wins over FORCE_COLOR). Node
// 24 warns on stderr that it ignores NO_COLOR when both are set, as soon as a module loads node:util;
// that note is wrong for sched's output and would come before every message, so it is dropped.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...args) {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (
    typeof text === 'string' &&
    /^The '\w+' env is ignored due to the 'FORCE_COLOR' env being set\.$/.test(text)
  )
    return;
  return emitWarning.call(this, warning, ...args);
};

/**
 * `sched plan` in its common forms skips oclif too (drift checks run it over and over); any
 * other form — help, a mistake — goes to oclif, which parses and explains. False: not handled.
 */
async function fastPlan(argv) {
  // dist/cli/fast-commands.js bundled into one CommonJS file (scripts/bundle.mjs): faster to load.
  const { parseFastPlanArgs, planCommand, reportError } = require('../dist/cli-bundle/fast-commands.cjs');
  const opts = parseFastPlanArgs(argv);
  if (!opts) return false;
  try {
    process.exitCode = await planCommand(opts);
  } catch (err) {
    process.exitCode = await reportError(err);
  }
  return true;
}

/**
 * `sched apply` in its common forms skips oclif too (its start-up was a third of a small apply);
 * help or a mistake goes to oclif. False: not handled.
 */
async function fastApply(argv) {
  const { parseFastApplyArgs, applyCommand, reportError } = require('../dist/cli-bundle/fast-commands.cjs');
  const opts = await parseFastApplyArgs(argv);
  if (!opts) return false;
  try {
    process.exitCode = await applyCommand(opts);
  } catch (err) {
    process.exitCode = await reportError(err);
  }
  return true;
}

/**
 * `sched run`: the arguments parsed with the parser derived from the command's spec, as oclif
 * would. Help, or a mistake in the arguments, is oclif's to show (false: not handled).
 */
async function fastRun(argv) {
  // dist/run/cli.js bundled into one CommonJS file (scripts/bundle.mjs): faster to load.
  const { main, mayExitNow } = require('../dist/run-bundle/cli.cjs');
  const code = await main(argv);
  if (code === undefined) return false;
  process.exitCode = code;
  // The run is recorded and nothing is pending: end without freeing the heap first.
  if (mayExitNow()) process.exit(code);
  return true;
}

/** `--version`, `-v`, `version`, `--help`, `help [CMD]`, `CMD --help` (false: not handled). */
async function fastInfo(argv) {
  // run, plan and apply ask for it only with a lone --help/-h: their common forms never load it.
  if (
    (command === 'run' || command === 'plan' || command === 'apply') &&
    !(rest.length === 1 && /^(--help|-h)$/.test(rest[0]))
  )
    return false;
  const { serveInfo } = await import('../dist/cli/fast-info.js');
  return serveInfo(argv, pathToFileURL(path.join(__dirname, '..') + path.sep));
}

async function main() {
  const handled =
    fast &&
    ((await fastInfo(argv)) ||
      (command === 'run' && (await fastRun(rest))) ||
      (command === 'plan' && (await fastPlan(rest))) ||
      (command === 'apply' && (await fastApply(rest))));
  if (handled) return;
  // oclif checks the node version when it loads, with semver (~25 ms); npm's engine-strict and
  // package.json's engines already do, at install. Set only while it loads, so that the commands
  // sched starts (jobs under `sched daemon` among them) never see the variable.
  const preset = 'OCLIF_DISABLE_ENGINE_WARNING' in process.env;
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
  const { execute } = await import('@oclif/core');
  if (!preset) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
  // The package's root, not this file: oclif would take bin/package.json for the CLI's own.
  await execute({ dir: path.join(__dirname, '..') });
}

main().catch((err) => {
  // Only a failure to load sched itself gets here (a broken install): every command reports its
  // own errors.
  console.error(err);
  process.exitCode = 1;
});
