#!/usr/bin/env node
// Benchmark: the extra wall time `sched run` adds over running the job's command directly.
// Runs a trivial `/bin/true` job N times (default 30; `--runs N`) through `node bin/run.js run …`
// (exactly what a crontab line or a systemd unit runs) and compares medians with `/bin/true`
// itself, with bare `node -e ''`, and with a bare module doing the same OS work (the floor), in
// the scheduler's environment and in this shell's; it ends with the ratio issue #16 sets a goal
// for (sched run's extra over node -e ''s).
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
// Two environments. A scheduler starts `sched run` with its own small environment — cron's is
// HOME, LOGNAME, SHELL=/bin/sh and PATH=/usr/bin:/bin; systemd's user manager's is alike — and
// that is the figure that counts. This shell's environment is measured too: on this machine it
// sets NODE_EXTRA_CA_CERTS, which makes *every* node process read and parse a CA bundle before
// any JavaScript runs — a cost of node's start-up, paid by `node -e ''` just the same.
const schedulerEnv = {
  HOME: os.homedir(),
  LOGNAME: os.userInfo().username,
  SHELL: '/bin/sh',
  PATH: '/usr/bin:/bin',
  SCHED_HOME: home,
};
const shellEnv = { ...process.env, SCHED_HOME: home };
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
const key = (cmd, args, env) => [env === schedulerEnv ? 'scheduler' : 'shell', cmd, ...args].join(' ');

function time(cmd, args, env) {
  const c0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c1 = childCpuMs();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  if (c0 !== undefined && c1 !== undefined)
    cpu.set(key(cmd, args, env), (cpu.get(key(cmd, args, env)) ?? 0) + c1 - c0);
  return ms;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p90: at(0.9), min: s[0] };
}

const sched = path.join(repo, 'bin', 'run.js');
// The floor: a bare ES module doing the OS work every run does — a durable (fsync'd) record
// before the job, the job in its own process group with its output piped, the watchdog shell, a
// history line and a durable record after — and nothing else. What sched adds above it is its
// own code (parsing, checks, locks, logs); what the floor adds above `node -e ''` is not.
const floor = path.join(home, 'floor.mjs');
fs.writeFileSync(
  floor,
  `import { spawn } from 'node:child_process';
import fs from 'node:fs';
const dir = ${JSON.stringify(path.join(home, 'floor'))};
fs.mkdirSync(dir, { recursive: true });
const record = (file, text) => {
  const fd = fs.openSync(file + '.tmp', 'w');
  fs.writeSync(fd, text);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(file + '.tmp', file);
};
record(dir + '/running.json', '{}');
const job = spawn('/bin/true', [], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
const guard = spawn('/bin/sh', ['-c', 'read word', 'watchdog'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
guard.unref();
guard.stdin.unref();
job.stdout.on('data', () => {});
job.stderr.on('data', () => {});
job.on('exit', () => {
  guard.stdin.end('done\\n');
  fs.appendFileSync(dir + '/history.jsonl', '{}\\n');
  record(dir + '/last-run.json', '{}');
  fs.unlinkSync(dir + '/running.json');
});
`,
);
const environments = [
  ["the scheduler's environment (cron's: HOME, LOGNAME, SHELL, PATH)", schedulerEnv],
  [
    `this shell's environment${process.env.NODE_EXTRA_CA_CERTS ? ` (NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS})` : ''}`,
    shellEnv,
  ],
];
const commands = [
  ['/bin/true', '/bin/true', []],
  ["node -e ''", process.execPath, ['-e', '']],
  ['floor: the same OS work, bare', process.execPath, [floor]],
  ['sched run (node bin/run.js run …)', process.execPath, [sched, ...runArgs]],
];
const cases = environments.flatMap(([, env]) =>
  commands.map(([name, cmd, args]) => ({
    name,
    env,
    run: () => time(cmd, args, env),
    key: key(cmd, args, env),
  })),
);

// One warm-up each (file cache), then N interleaved rounds so load changes hit every case alike.
for (const c of cases) c.run();
cpu.clear();
const samples = cases.map(() => []);
for (let i = 0; i < N; i++) cases.forEach((c, k) => samples[k].push(c.run()));

console.log(
  `sched run overhead — ${N} runs each, ${os.cpus().length} CPU(s), load ${os.loadavg()[0].toFixed(2)}, node ${process.version}`,
);
// Extra wall time over /bin/true in the scheduler's environment, by command name.
const extraOf = new Map();
for (const [title, env] of environments) {
  console.log(`\n${title}:`);
  const ks = cases.flatMap((c, k) => (c.env === env ? [k] : []));
  const base = stats(samples[ks[0]]).median;
  const baseCpu = (cpu.get(cases[ks[0]].key) ?? 0) / N;
  for (const k of ks) {
    const { name, key: ck } = cases[k];
    const s = stats(samples[k]);
    const c = cpu.has(ck) ? (cpu.get(ck) / N).toFixed(0).padStart(4) : '   ?';
    const extraCpu = cpu.has(ck) ? (cpu.get(ck) / N - baseCpu).toFixed(0).padStart(4) : '   ?';
    console.log(
      `  ${name.padEnd(36)} median ${s.median.toFixed(1).padStart(7)} ms  p90 ${s.p90.toFixed(1).padStart(7)} ms  ` +
        `extra wall (median) ${(s.median - base).toFixed(1).padStart(7)} ms  cpu/run ${c} ms (extra ${extraCpu} ms)`,
    );
    if (env === schedulerEnv) extraOf.set(name, s.median - base);
  }
}
const [nodeExtra, floorExtra, schedExtra] = commands.slice(1).map(([name]) => extraOf.get(name));
console.log(
  `\nsched run adds ${schedExtra.toFixed(1)} ms (median wall) over running /bin/true directly, started as a scheduler starts it:` +
    ` ${(schedExtra / nodeExtra).toFixed(2)}× a bare node start's extra (goal ≤ 2.0×; the floor is ${(floorExtra / nodeExtra).toFixed(2)}×).`,
);
const history = fs
  .readFileSync(path.join(home, 'projects', 'bench', 'jobs', 'noop', 'history.jsonl'), 'utf8')
  .trim()
  .split('\n');
console.log(`(${history.length} runs recorded; state in ${home})`);
fs.rmSync(home, { recursive: true, force: true });
