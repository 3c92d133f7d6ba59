/** `npm run bench`: runs every benchmark under bench/ in turn; each prints its own figures. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist-bench/bench
const repo = path.resolve(here, '../..');
const benches = [
  path.join(here, 'plan-apply.js'),
  path.join(here, 'validate.js'),
  path.join(repo, 'bench', 'run-overhead.mjs'),
  path.join(repo, 'bench', 'startup.mjs'),
  path.join(repo, 'bench', 'next.mjs'),
];
let failed = false;
for (const bench of benches) {
  if (!existsSync(bench)) continue;
  console.log(`\n=== ${path.relative(repo, bench)}`);
  const r = spawnSync(process.execPath, [bench], { stdio: 'inherit', cwd: repo });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
