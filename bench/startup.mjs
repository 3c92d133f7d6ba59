#!/usr/bin/env node
// Benchmark: sched's start-up beside node's own (issue 16's start-up rows). Interleaved rounds
// (every case once per round, so load changes hit all alike), median wall time per case, in the
// scheduler's small environment (cron's: HOME, LOGNAME, SHELL, PATH), stdout a pipe. Prints:
//   - `sched --version` / `-v` / `version` / `--help` / `help CMD` / `CMD --help` ÷ `node -e ''`
//     (goal ≤ 1.6×), with oclif's own answer (SCHED_NO_FAST_PATH=1) beside it;
//   - `sched run` as cron starts it: extra over /bin/true ÷ node's extra over /bin/true (≤ 2.0×);
//   - `sched run JOB` by hand in the project folder (no --project) − the cron form (≤ 20 ms).
// `--runs N` (default 30). Needs `npm run build` first (uses dist/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const N = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
if (!fs.existsSync(path.join(repo, 'dist', 'help.json'))) {
  console.error('bench/startup: build first (npm run build)');
  process.exit(1);
}

// A project `bench` with one job `noop` (/bin/true), applied, and its schedules.yaml.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-bench-startup-'));
const state = path.join(home, 'state');
fs.mkdirSync(state, { mode: 0o700 });
const project = path.join(home, 'project');
fs.mkdirSync(project);
fs.writeFileSync(
  path.join(project, 'schedules.yaml'),
  'version: 1\nproject: bench\nbackend: crontab\njobs:\n  noop:\n    schedule: "* * * * *"\n    command: [/bin/true]\n',
);
const { AppliedSpecStore } = await import(pathToFileURL(path.join(repo, 'dist', 'state', 'applied.js')).href);
await new AppliedSpecStore(state).write({
  format_version: 1,
  backend: 'crontab',
  appliedAt: new Date().toISOString(),
  sourceFile: path.join(project, 'schedules.yaml'),
  job: {
    project: 'bench',
    name: 'noop',
    schedule: { kind: 'cron', expr: '* * * * *', source: '* * * * *' },
    command: { argv: ['/bin/true'] },
    workingDir: project,
    env: {},
    timezone: 'UTC',
    overlap: 'allow',
    catchUp: true,
    retries: { max: 0, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
  },
});

const env = {
  HOME: os.homedir(),
  LOGNAME: os.userInfo().username,
  SHELL: '/bin/sh',
  PATH: '/usr/bin:/bin',
  SCHED_HOME: state,
};
const sched = path.join(repo, 'bin', 'run.js');
const node = process.execPath;
const cases = [
  ['/bin/true', '/bin/true', []],
  ["node -e ''", node, ['-e', '']],
  ['sched --version', node, [sched, '--version']],
  ['sched -v', node, [sched, '-v']],
  ['sched version', node, [sched, 'version']],
  ['sched --help', node, [sched, '--help']],
  ['sched help plan', node, [sched, 'help', 'plan']],
  ['sched run --help', node, [sched, 'run', '--help']],
  ['sched --version (oclif)', node, [sched, '--version'], { SCHED_NO_FAST_PATH: '1' }],
  ['sched --help (oclif)', node, [sched, '--help'], { SCHED_NO_FAST_PATH: '1' }],
  [
    'sched run, as cron starts it',
    node,
    [sched, 'run', '--project', 'bench', '--trigger', 'crontab', 'noop'],
  ],
  ['sched run noop, by hand in the folder', node, [sched, 'run', 'noop']],
].map(([name, cmd, args, extra]) => ({ name, cmd, args, env: { ...env, ...extra }, samples: [] }));

function time(c) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { env: c.env, cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (s) => [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)];

for (const c of cases) time(c); // warm-up: file cache, the project-name cache
for (let i = 0; i < N; i++) for (const c of cases) c.samples.push(time(c));

const load = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(
  `sched start-up — ${N} interleaved rounds, ${os.cpus().length} CPU(s), load ${load}, node ${process.version}`,
);
const m = Object.fromEntries(cases.map((c) => [c.name, median(c.samples)]));
const nodeMs = m["node -e ''"];
for (const c of cases)
  console.log(
    `  ${c.name.padEnd(40)} median ${m[c.name].toFixed(1).padStart(7)} ms  ${(m[c.name] / nodeMs).toFixed(2)}× node`,
  );
const trueMs = m['/bin/true'];
const cron = m['sched run, as cron starts it'];
const hand = m['sched run noop, by hand in the folder'];
console.log(`\n  --version: ${(m['sched --version'] / nodeMs).toFixed(2)}× node -e '' (goal ≤ 1.6×)`);
console.log(
  `  --help: ${(m['sched --help'] / nodeMs).toFixed(2)}×, help plan: ${(m['sched help plan'] / nodeMs).toFixed(2)}× (goal ≤ 1.6×)`,
);
console.log(
  `  sched run as cron: ${(cron - trueMs).toFixed(1)} ms over /bin/true = ${((cron - trueMs) / (nodeMs - trueMs)).toFixed(2)}× node's ${(nodeMs - trueMs).toFixed(1)} ms (goal ≤ 2.0×)`,
);
console.log(`  sched run JOB by hand − as cron: ${(hand - cron).toFixed(1)} ms (goal ≤ 20 ms)`);
fs.rmSync(home, { recursive: true, force: true });
