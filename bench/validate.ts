/**
 * Benchmark (issue 12.16): how loading and validating a schedules file grows with its job count —
 * 1,000, 10,000 and 100,000 jobs, through the loader `sched validate` uses (in process: no Node
 * start-up in the figures). Prints the time and the cost per job; asserts nothing. Linear
 * parsing shows as a per-job cost that stays flat as the file grows.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The built loader (`npm run bench` builds first): it finds its compiled schema beside it.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { loadProject } = (await import(
  pathToFileURL(path.join(repo, 'dist', 'config', 'load.js')).href
)) as typeof import('../src/config/load.js');

// SCHED_BENCH_JOBS=1000,5000 runs other sizes.
const SIZES = (process.env.SCHED_BENCH_JOBS ?? '1000,10000,100000').split(',').map(Number);

/** `n` varied valid jobs: schedules, commands, a description, retries, a timeout. */
function jobsYaml(n: number): string {
  const lines = ['version: 1', 'project: bench-validate', 'backend: crontab', 'jobs:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  job-${String(i).padStart(6, '0')}:`,
      `    schedule: "${i % 60} ${i % 24} * * *"`,
      `    command: ["/usr/local/bin/task", "--id", "${i}"]`,
      `    description: job number ${i}`,
      ...(i % 3 === 0 ? ['    timeout: 10m', '    retries:', '      max: 2', '      delay: 30s'] : []),
    );
  }
  return lines.join('\n') + '\n';
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-bench-validate-'));
try {
  console.log('jobs      file MB   validate s   per job µs   errors');
  for (const n of SIZES) {
    const file = path.join(dir, `schedules-${n}.yaml`);
    writeFileSync(file, jobsYaml(n));
    const started = performance.now();
    const result = await loadProject(file, { checkFilesystem: false });
    const seconds = (performance.now() - started) / 1000;
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    console.log(
      `${String(n).padStart(7)}   ${(statSync(file).size / 2 ** 20).toFixed(1).padStart(7)}   ${seconds.toFixed(2).padStart(10)}   ${((seconds * 1e6) / n).toFixed(1).padStart(10)}   ${errors}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
