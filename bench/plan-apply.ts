/**
 * Benchmark (issue 3): plan, apply and no-change plan through the real CLI for 1,000 jobs on
 * the crontab backend and 200 on systemd, and the same 200 crontab jobs written by
 * `whenever --update-crontab` (Debian package ruby-whenever) side by side. Prints figures;
 * asserts nothing. Needs root (a throw-away user for the crontab, the systemd user-manager harness).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCronUser, cronUserSkipReason } from '../test/e2e/helpers/cron-user.js';
import { startSystemdUser, systemdUserSkipReason } from '../test/e2e/helpers/systemd-user.js';
import { execAs, sched, type Exec } from '../test/e2e/helpers/cli.js';

const REPEATS = 5;

/** Deterministic, varied cron expressions (minute/hour/day spread) for `n` jobs. */
function jobsYaml(project: string, backend: string, n: number): string {
  const lines = [`version: 1`, `project: ${project}`, `backend: ${backend}`, `jobs:`];
  for (let i = 0; i < n; i++) {
    const expr = [
      `${i % 60} ${i % 24} * * *`,
      `*/${(i % 29) + 1} * * * *`,
      `${i % 60} ${i % 24} 1,15 * *`,
      `0 ${i % 24} * * 1-5`,
    ][i % 4];
    lines.push(
      `  job-${String(i).padStart(4, '0')}:`,
      `    schedule: "${expr}"`,
      `    command: ["echo", "job ${i}"]`,
    );
  }
  return lines.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

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

function row(label: string, ms: number, extra = ''): void {
  console.log(`  ${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms ${extra}`);
}

async function cycle(
  name: string,
  exec: Exec,
  file: string,
  env: Record<string, string> = {},
): Promise<Record<string, number>> {
  const cli = (args: string[]) => sched(exec, args, env);
  const plan = await timed(`${name} plan`, () => cli(['plan', '-f', file]));
  const apply = await timed(`${name} apply`, () => cli(['apply', '-f', file, '--auto-approve']));
  const noChange: number[] = [];
  for (let i = 0; i < REPEATS; i++)
    noChange.push(
      await timed(`${name} plan (no change)`, () => cli(['plan', '-f', file, '--detailed-exitcode'])),
    );
  await timed(`${name} destroy`, () => cli(['destroy', '-f', file, '--auto-approve']));
  return { plan, apply, noChange: median(noChange) };
}

async function crontabBench(): Promise<void> {
  const skip = cronUserSkipReason();
  if (skip) return console.log(`crontab: skipped (${skip})`);
  const user = createCronUser();
  try {
    const asUser = execAs(user);
    const write = (name: string, text: string) => {
      const f = path.join(user.home, name);
      user.writeOwned(f, text);
      return f;
    };
    console.log('crontab (real `crontab` of a throw-away user, whole CLI process per step):');
    const big = await cycle('1000', asUser, write('big.yaml', jobsYaml('bench-big', 'crontab', 1000)));
    row('1,000 jobs: plan (all new)', big.plan!);
    row('1,000 jobs: apply', big.apply!);
    row(
      `1,000 jobs: no-change plan (median of ${REPEATS})`,
      big.noChange!,
      big.noChange! < 500 ? '(target < 500 ms: met)' : '(target < 500 ms: NOT met)',
    );

    const small = await cycle('200', asUser, write('small.yaml', jobsYaml('bench-small', 'crontab', 200)));
    row('200 jobs: apply', small.apply!);
    // whenever: the same 200 schedules as a schedule.rb, written with --update-crontab.
    const whenever = spawnSync('sh', ['-c', 'command -v whenever'], { encoding: 'utf8' });
    if (whenever.status !== 0) {
      console.log('  whenever: skipped (install the Debian package ruby-whenever)');
      return;
    }
    const rb: string[] = [];
    for (let i = 0; i < 200; i++) {
      const expr = [
        `${i % 60} ${i % 24} * * *`,
        `*/${(i % 29) + 1} * * * *`,
        `${i % 60} ${i % 24} 1,15 * *`,
        `0 ${i % 24} * * 1-5`,
      ][i % 4];
      rb.push(`every '${expr}' do\n  command "echo job ${i}"\nend`);
    }
    const schedule = write('schedule.rb', rb.join('\n') + '\n');
    const runs: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      runs.push(
        await timed('whenever', () =>
          asUser('whenever', ['--update-crontab', 'bench', '--load-file', schedule]),
        ),
      );
    }
    const w = median(runs);
    row(`200 jobs: whenever --update-crontab (median of ${REPEATS})`, w);
    console.log(`  ratio sched apply / whenever (200 jobs): ${(small.apply! / w).toFixed(2)}`);
    await asUser('whenever', ['--clear-crontab', 'bench', '--load-file', schedule]);
  } finally {
    user.remove();
  }
}

async function systemdBench(): Promise<void> {
  const skip = systemdUserSkipReason();
  if (skip) return console.log(`systemd: skipped (${skip})`);
  const h = await startSystemdUser();
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-bench-'));
    const file = path.join(dir, 'schedules.yaml');
    writeFileSync(file, jobsYaml('bench-sd', 'systemd', 200));
    console.log('systemd (real user manager, whole CLI process per step):');
    const r = await cycle('systemd', h.exec, file);
    row('200 jobs: plan (all new)', r.plan!);
    row('200 jobs: apply (400 units, one daemon-reload)', r.apply!);
    row(`200 jobs: no-change plan (median of ${REPEATS})`, r.noChange!);
    rmSync(dir, { recursive: true, force: true });
  } finally {
    await h.stop();
  }
}

console.log(`sched plan/apply benchmark — node ${process.version}, ${os.cpus().length} cores\n`);
await crontabBench();
console.log('');
await systemdBench();
