#!/usr/bin/env node
// Entry point. `sched run` is what every scheduler calls on every fire, so it skips oclif (whose
// start-up costs more than the whole wrapper) and goes straight to the same service the oclif
// `run` command uses. Everything else loads only the command it runs, from the shipped manifest.
const [command, ...rest] = process.argv.slice(2);

if (command === 'run') {
  // dist/run/cli.js bundled into one module (scripts/bundle-run.mjs): faster to load.
  const { main } = await import('../dist/run-bundle/cli.js');
  process.exitCode = await main(rest);
} else {
  // oclif checks the node version when it loads, with semver (~25 ms); npm's engine-strict and
  // package.json's engines already do, at install. Set only while it loads, so that the commands
  // sched starts (jobs under `sched daemon` among them) never see the variable.
  const preset = 'OCLIF_DISABLE_ENGINE_WARNING' in process.env;
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
  const { execute } = await import('@oclif/core');
  if (!preset) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
  await execute({ dir: import.meta.url });
}
