/**
 * Benchmark: the scale curve of plan, apply and no-change plan through the real CLI — crontab
 * at 10, 100, 200 (the apply row of the performance goals), 1,000 and 2,400 jobs with
 * `whenever --update-crontab` (Debian package ruby-whenever) writing the same schedules beside
 * each row, systemd at 10, 100 and 500 jobs —
 * and start-up (`sched --version`) beside `node -e ''`. Every pair is measured interleaved in one
 * run (A, B, A, B…), so a busy machine slows both sides alike; the ratios are what counts. Both
 * tools run in the throw-away user's login environment, not this process's: a variable set only
 * here (NODE_EXTRA_CA_CERTS makes every node start read a CA bundle) would be counted against the
 * node side alone; its cost is printed apart. Beside each crontab row, two floors: a bare node
 * script doing only the OS work of a no-change check (read the file, `crontab -l`) and of an apply
 * (that, one fsynced state file, `crontab -`), the least any node tool pays. Prints figures and
 * ratios; asserts nothing. Needs root (a throw-away user for the crontab, the systemd
 * user-manager harness). SCHED_BENCH_SIZES=10,100 limits the crontab sizes,
 * SCHED_BENCH_SYSTEMD_SIZES the systemd ones, SCHED_BENCH_ONLY=crontab (or systemd, startup) the parts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCronUser, cronUserSkipReason } from '../test/e2e/helpers/cron-user.js';
import { startSystemdUser, systemdUserSkipReason } from '../test/e2e/helpers/systemd-user.js';
import { execAs, localExec, loginEnvironment, sched, SCHED_BIN, type Exec } from '../test/e2e/helpers/cli.js';

/**
 * Debian's crontab installs at most 10,000 lines. sched writes two per job (the ownership comment
 * and the entry) plus four for its block, whenever two per job (the entry and a blank line) plus
 * its markers, and both sit in the same crontab while measured: 2,400 jobs is near the largest row
 * that fits (a size over the limit prints the refusal instead of a row).
 */
const CRONTAB_SIZES = (process.env.SCHED_BENCH_SIZES ?? '10,100,200,1000,2400').split(',').map(Number);
const SYSTEMD_SIZES = (process.env.SCHED_BENCH_SYSTEMD_SIZES ?? '10,100,500').split(',').map(Number);
/** SCHED_BENCH_ONLY=crontab,systemd,startup runs only those parts (all by default). */
const ONLY = new Set((process.env.SCHED_BENCH_ONLY ?? 'startup,crontab,systemd').split(','));

/** Deterministic, varied cron expressions (minute/hour/day spread) for job `i`. */
function expression(i: number): string {
  return [
    `${i % 60} ${i % 24} * * *`,
    `*/${(i % 29) + 1} * * * *`,
    `${i % 60} ${i % 24} 1,15 * *`,
    `0 ${i % 24} * * 1-5`,
  ][i % 4]!;
}

function jobsYaml(project: string, backend: string, n: number): string {
  const lines = [`version: 1`, `project: ${project}`, `backend: ${backend}`, `jobs:`];
  for (let i = 0; i < n; i++)
    lines.push(
      `  job-${String(i).padStart(5, '0')}:`,
      `    schedule: "${expression(i)}"`,
      `    command: ["echo", "job ${i}"]`,
    );
  return lines.join('\n') + '\n';
}

function wheneverRb(n: number): string {
  const rb: string[] = [];
  for (let i = 0; i < n; i++) rb.push(`every '${expression(i)}' do\n  command "echo job ${i}"\nend`);
  return rb.join('\n') + '\n';
}

/** The OS work of a no-change check, and nothing else: read the file, read the crontab. */
const FLOOR_CHECK = `import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
createHash('sha256').update(readFileSync(process.argv[2])).digest('hex');
execFileSync('crontab', ['-l']);
`;
/** The OS work of an apply, and nothing else: that, one durable state file, the crontab written. */
const FLOOR_APPLY = `import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
const bytes = readFileSync(process.argv[2]);
const table = execFileSync('crontab', ['-l']);
const fd = openSync(process.argv[2] + '.state.tmp', 'w');
writeSync(fd, bytes);
fsyncSync(fd);
closeSync(fd);
renameSync(process.argv[2] + '.state.tmp', process.argv[2] + '.state');
execFileSync('crontab', ['-'], { input: table });
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const repeatsFor = (n: number) => (n >= 2_000 ? 3 : 5);

async function timed(
  label: string,
  fn: () => Promise<{ exitCode: number; stderr: string; stdout: string }>,
  okCodes = [0],
): Promise<number> {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  if (!okCodes.includes(r.exitCode))
    throw new Error(`${label} failed (exit ${r.exitCode}): ${r.stderr || r.stdout}`);
  return ms;
}

/** The line of a failed step's message that says why (its last `Error:` line). */
const firstLine = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('Error:'))
    .pop() ?? text.split('\n')[0]!;

const fmt = (ms: number) => `${ms.toFixed(0).padStart(7)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

interface Row {
  n: number;
  plan: number;
  apply: number;
  noChange: number;
  peer?: number;
  floorCheck?: number;
  floorApply?: number;
}

/** The two floor scripts, interleaved with the rest; what each costs by the median. */
interface Floors {
  check: () => Promise<number>;
  apply: () => Promise<number>;
}

/** One size: plan (all new), then apply and a peer's full write interleaved, then no-change plans. */
async function measure(
  exec: Exec,
  file: string,
  n: number,
  peer?: () => Promise<number>,
  floors?: Floors,
): Promise<Row> {
  const cli = (args: string[], ok = [0]) => timed(`sched ${args[0]}`, () => sched(exec, args), ok);
  const R = repeatsFor(n);
  const plan = await cli(['plan', '-f', file]);
  const applies: number[] = [];
  const peers: number[] = [];
  const floorApplies: number[] = [];
  const floorChecks: number[] = [];
  for (let i = 0; i < R; i++) {
    applies.push(await cli(['apply', '-f', file, '--auto-approve']));
    if (peer) peers.push(await peer());
    if (floors) floorApplies.push(await floors.apply());
    if (i < R - 1) await cli(['destroy', '-f', file, '--auto-approve']);
  }
  const noChange: number[] = [];
  for (let i = 0; i < R; i++) {
    noChange.push(await cli(['plan', '-f', file, '--detailed-exitcode']));
    if (peer) peers.push(await peer());
    if (floors) floorChecks.push(await floors.check());
  }
  await cli(['destroy', '-f', file, '--auto-approve']);
  return {
    n,
    plan,
    apply: median(applies),
    noChange: median(noChange),
    ...(peer ? { peer: median(peers) } : {}),
    ...(floors ? { floorApply: median(floorApplies), floorCheck: median(floorChecks) } : {}),
  };
}

/** Per-job cost: the slope between the smallest and the largest size. */
function slope(rows: Row[], key: 'apply' | 'noChange'): string {
  const a = rows[0]!;
  const b = rows[rows.length - 1]!;
  return ((b[key] - a[key]) / (b.n - a.n)).toFixed(3);
}

async function crontabBench(): Promise<void> {
  const skip = cronUserSkipReason();
  if (skip) return console.log(`crontab: skipped (${skip})`);
  const hasWhenever = spawnSync('sh', ['-c', 'command -v whenever']).status === 0;
  const user = createCronUser();
  try {
    const asUser = execAs(user, { login: true });
    const write = (name: string, text: string) => {
      const f = path.join(user.home, name);
      user.writeOwned(f, text);
      return f;
    };
    const floorCheck = write('floor-check.mjs', FLOOR_CHECK);
    const floorApply = write('floor-apply.mjs', FLOOR_APPLY);
    console.log(
      'crontab (real `crontab` of a throw-away user, in its login environment; whole process per step; median of 5, 3 from 2,000 jobs):',
    );
    console.log(
      '      jobs   plan (new)        apply   no-change plan     whenever   apply/whenever   no-change/whenever   floor: apply, no-change (÷ whenever)',
    );
    const rows: Row[] = [];
    for (const n of CRONTAB_SIZES) {
      const file = write(`jobs-${n}.yaml`, jobsYaml(`bench-${n}`, 'crontab', n));
      const rb = write(`schedule-${n}.rb`, wheneverRb(n));
      const peer = hasWhenever
        ? () =>
            timed('whenever', () => asUser('whenever', ['--update-crontab', `bench-${n}`, '--load-file', rb]))
        : undefined;
      const floors: Floors = {
        check: () => timed('floor', () => asUser(process.execPath, [floorCheck, file])),
        apply: () => timed('floor', () => asUser(process.execPath, [floorApply, file])),
      };
      let r: Row;
      try {
        r = await measure(asUser, file, n, peer, floors);
      } catch (e) {
        // Over the crontab's own limit: say so in the row and go on with the next size.
        console.log(`  ${String(n).padStart(8)}   not measured: ${firstLine((e as Error).message)}`);
        await asUser('crontab', ['-r']);
        continue;
      } finally {
        if (peer) await asUser('whenever', ['--clear-crontab', `bench-${n}`, '--load-file', rb]);
      }
      rows.push(r);
      const floorCells =
        r.floorApply !== undefined && r.floorCheck !== undefined
          ? `${fmt(r.floorApply)} ${fmt(r.floorCheck)}${r.peer ? ` (${ratio(r.floorApply, r.peer)}, ${ratio(r.floorCheck, r.peer)})` : ''}`
          : '';
      console.log(
        `  ${String(n).padStart(8)} ${fmt(r.plan)} ${fmt(r.apply)} ${fmt(r.noChange)}    ${r.peer ? fmt(r.peer) : '       —'}   ${r.peer ? ratio(r.apply, r.peer).padStart(14) : ''}   ${r.peer ? ratio(r.noChange, r.peer).padStart(18) : ''}   ${floorCells}`,
      );
    }
    if (!hasWhenever) console.log('  whenever: skipped (install the Debian package ruby-whenever)');
    if (rows.length > 1)
      console.log(
        `  per job: apply ${slope(rows, 'apply')} ms, no-change plan ${slope(rows, 'noChange')} ms`,
      );
  } finally {
    user.remove();
  }
}

async function systemdBench(): Promise<void> {
  const skip = systemdUserSkipReason();
  if (skip) return console.log(`systemd: skipped (${skip})`);
  const h = await startSystemdUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-bench-'));
  try {
    console.log('systemd (real user manager, whole CLI process per step; median of 5):');
    console.log('      jobs   plan (new)        apply   no-change plan');
    const rows: Row[] = [];
    for (const n of SYSTEMD_SIZES) {
      const file = path.join(dir, `jobs-${n}.yaml`);
      writeFileSync(file, jobsYaml(`bench-sd-${n}`, 'systemd', n));
      const r = await measure(h.exec, file, n);
      rows.push(r);
      console.log(`  ${String(n).padStart(8)} ${fmt(r.plan)} ${fmt(r.apply)} ${fmt(r.noChange)}`);
    }
    if (rows.length > 1)
      console.log(
        `  per job: apply ${slope(rows, 'apply')} ms, no-change plan ${slope(rows, 'noChange')} ms`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await h.stop();
  }
}

/**
 * `sched --version` and `sched --help` beside `node -e ''`, interleaved, in a login environment;
 * and, when this process's environment sets NODE_EXTRA_CA_CERTS, what that costs a node start.
 */
async function startupBench(): Promise<void> {
  const local = localExec();
  const me = os.userInfo();
  const login = Object.entries(loginEnvironment({ name: me.username, home: me.homedir })).map(
    ([k, v]) => `${k}=${v}`,
  );
  const exec: Exec = (command, args) => local('env', ['-i', ...login, command, ...args]);
  const R = 11;
  const cases: [string, () => Promise<number>][] = [
    ["node -e ''", () => timed('node', () => exec(process.execPath, ['-e', '']))],
    ['sched --version', () => timed('version', () => exec(process.execPath, [SCHED_BIN, '--version']))],
    ['sched --help', () => timed('help', () => exec(process.execPath, [SCHED_BIN, '--help']))],
  ];
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  const withCa = `node -e '' with NODE_EXTRA_CA_CERTS=${caCerts}`;
  if (caCerts)
    cases.push([
      withCa,
      () =>
        timed('node', () =>
          local('env', ['-i', ...login, `NODE_EXTRA_CA_CERTS=${caCerts}`, process.execPath, '-e', '']),
        ),
    ]);
  const times = new Map<string, number[]>(cases.map(([k]) => [k, []]));
  for (let i = 0; i < R; i++) for (const [k, f] of cases) times.get(k)!.push(await f());
  console.log(`start-up (median of ${R}, interleaved, in a login environment):`);
  const floor = median(times.get("node -e ''")!);
  for (const [k] of cases) {
    const m = median(times.get(k)!);
    console.log(`  ${k.padEnd(20)} ${fmt(m)}   ${ratio(m, floor)} of node -e ''`);
  }
  if (caCerts)
    console.log(
      `  (this shell sets NODE_EXTRA_CA_CERTS: every node start it runs pays ${(median(times.get(withCa)!) - floor).toFixed(0)} ms more; the rows here leave it out)`,
    );
}

console.log(
  `sched scale benchmark — node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}\n`,
);
if (ONLY.has('startup')) await startupBench();
console.log('');
if (ONLY.has('crontab')) await crontabBench();
console.log('');
if (ONLY.has('systemd')) await systemdBench();
