#!/usr/bin/env node
// Benchmark: the extra wall time `sched run` adds over running the job's command directly.
// Runs a trivial `/bin/true` job N times (default 30; `--runs N`) through
//   1. `node bin/run.js run …`            (the oclif entry as shipped),
//   2. the fast path, `dist/run/cli.js`    (what bin/run.js runs when it short-cuts `run`),
// and compares medians with `/bin/true` itself and with bare `node -e ''`.
// Needs `npm run build` first (uses dist/). State goes to a temp SCHED_HOME.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const N = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;

if (!fs.existsSync(path.join(repo, 'dist', 'run', 'cli.js'))) {
  console.error('bench/run-overhead: build first (npm run build)');
  process.exit(1);
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-bench-'));
const { AppliedSpecStore } = await import(pathToFileURL(path.join(repo, 'dist', 'state', 'applied.js')).href);
await new AppliedSpecStore(home).write({
  format_version: 1,
  backend: 'crontab',
  appliedAt: new Date().toISOString(),
  sourceFile: path.join(home, 'schedules.yaml'),
  job: {
    project: 'bench',
    name: 'noop',
    schedule: { kind: 'cron', expr: '* * * * *', source: '* * * * *' },
    command: { argv: ['/bin/true'] },
    workingDir: home,
    env: {},
    timezone: 'UTC',
    overlap: 'skip',
    catchUp: true,
    retries: { max: 0, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
  },
});
const fastEntry = path.join(home, 'fast-entry.mjs');
fs.writeFileSync(
  fastEntry,
  `import { main } from ${JSON.stringify(pathToFileURL(path.join(repo, 'dist', 'run', 'cli.js')).href)};\n` +
    `process.exitCode = await main(process.argv.slice(3));\n`,
);

const env = { ...process.env, SCHED_HOME: home };
const runArgs = ['run', '--project', 'bench', '--trigger', 'crontab', 'noop'];

// CPU time of waited-for children (Linux: cutime+cstime of /proc/self/stat), less sensitive to a
// busy machine than wall time. Undefined elsewhere.
const ticksPerSecond = 100; // USER_HZ on Linux
function childCpuMs() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[13]) + Number(f[14])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
const cpu = new Map();

function time(cmd, args) {
  const c0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c1 = childCpuMs();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  if (c0 !== undefined && c1 !== undefined)
    cpu.set(cmd + args.join(' '), (cpu.get(cmd + args.join(' ')) ?? 0) + c1 - c0);
  return ms;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p90: at(0.9), min: s[0] };
}

const cases = [
  ['/bin/true', '/bin/true', []],
  ["node -e ''", process.execPath, ['-e', '']],
  ['sched run (fast path, dist/run/cli.js)', process.execPath, [fastEntry, ...runArgs]],
  ['sched run (node bin/run.js)', process.execPath, [path.join(repo, 'bin', 'run.js'), ...runArgs]],
].map(([name, cmd, args]) => [name, () => time(cmd, args), cmd + args.join(' ')]);

// One warm-up each (file cache), then N interleaved rounds so load changes hit every case alike.
for (const [, f] of cases) f();
cpu.clear();
const samples = cases.map(() => []);
for (let i = 0; i < N; i++) cases.forEach(([, f], k) => samples[k].push(f()));

const base = stats(samples[0]).median;
console.log(
  `sched run overhead — ${N} runs each, ${os.cpus().length} CPU(s), load ${os.loadavg()[0].toFixed(2)}, node ${process.version}`,
);
const baseCpu = (cpu.get(cases[0][2]) ?? 0) / N;
for (const [k, [name, , key]] of cases.entries()) {
  const s = stats(samples[k]);
  const c = cpu.has(key) ? (cpu.get(key) / N).toFixed(0).padStart(4) : '   ?';
  const extraCpu = cpu.has(key) ? (cpu.get(key) / N - baseCpu).toFixed(0).padStart(4) : '   ?';
  console.log(
    `${name.padEnd(40)} median ${s.median.toFixed(1).padStart(7)} ms  p90 ${s.p90.toFixed(1).padStart(7)} ms  ` +
      `extra wall (median) ${(s.median - base).toFixed(1).padStart(7)} ms  cpu/run ${c} ms (extra ${extraCpu} ms)`,
  );
}
const history = fs
  .readFileSync(path.join(home, 'projects', 'bench', 'jobs', 'noop', 'history.jsonl'), 'utf8')
  .trim()
  .split('\n');
console.log(`(${history.length} runs recorded; state in ${home})`);
fs.rmSync(home, { recursive: true, force: true });
