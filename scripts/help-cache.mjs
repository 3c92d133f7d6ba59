#!/usr/bin/env node
// Build step (after `oclif manifest`): renders every command's help and the root help with
// oclif's own help class into dist/help.json, which bin/run.js prints for `sched --help`,
// `sched help CMD` and `sched CMD --help` without loading oclif (src/cli/fast-info.ts). Rendered
// as oclif renders for a pipe — 80 columns, no colour — the one case served from this file.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// oclif reads these when its modules load: pin the width and turn colour off first.
process.env.OCLIF_COLUMNS = '80';
process.env.NO_COLOR = '1';
delete process.env.FORCE_COLOR;

const root = fileURLToPath(new URL('..', import.meta.url));
const { Config, loadHelpClass } = await import('@oclif/core');
const config = await Config.load(root);
const Help = await loadHelpClass(config);

/** What `help.showHelp(argv)` prints, captured. */
async function render(argv) {
  const help = new Help(config, config.pjson.oclif.helpOptions ?? config.pjson.helpOptions);
  const chunks = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk) => (chunks.push(String(chunk)), true);
  try {
    await help.showHelp(argv);
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

const userAgentMark = '\u0000USER_AGENT\u0000';
const commands = {};
for (const c of [...config.commands].sort((a, b) => a.id.localeCompare(b.id))) {
  if (c.id.includes(':')) throw new Error(`help-cache: topic commands are not served (${c.id})`);
  commands[c.id] = await render([c.id]);
}
const rootText = (await render([])).split(config.userAgent).join(userAgentMark);
const out = fileURLToPath(new URL('../dist/help.json', import.meta.url));
writeFileSync(
  out,
  JSON.stringify({ format_version: 1, columns: 80, userAgentMark, root: rootText, commands }) + '\n',
);
console.log(`wrote ${out}`);
