#!/usr/bin/env node
// Entry point. `sched run` is what every scheduler calls on every fire, so it skips oclif (whose
// start-up costs more than the whole wrapper) and goes straight to the same service the oclif
// `run` command uses. Everything else loads only the command it runs, from the shipped manifest.
const [command, ...rest] = process.argv.slice(2);

if (command === 'run') {
  const { main } = await import('../dist/run/cli.js');
  process.exitCode = await main(rest);
} else {
  // oclif checks the node version on start with semver (~25 ms); npm's engine-strict and
  // package.json's engines already do, at install.
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
