/**
 * Prometheus metrics through real parts: `sched run` of applied jobs rewrites the textfile,
 * `promtool check metrics` accepts it and `sched metrics`, a real prometheus-node-exporter with
 * --collector.textfile.directory serves it (scraped here), and `sched daemon --metrics-listen`
 * serves /metrics.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, REPO_ROOT, sched, SCHED_BIN } from './helpers/cli.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const skip =
  cliSkipReason() ??
  (has('promtool') ? undefined : 'promtool is not installed (Debian package prometheus)') ??
  (has('prometheus-node-exporter') ? undefined : 'prometheus-node-exporter is not installed');
if (skip) console.warn(`[skip] e2e metrics: ${skip}`);

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Scrapes `url` until `cond` holds on the body (the exporter and the daemon start asynchronously). */
async function scrapeUntil(url: string, cond: (body: string) => boolean): Promise<string> {
  const deadline = Date.now() + 30_000;
  let last = '';
  for (;;) {
    try {
      const r = await get(url);
      last = r.body;
      if (r.status === 200 && cond(r.body)) return r.body;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} never had the expected metrics; last body:\n${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Each test spawns several CLI processes; a loaded CI machine with parallel files is slow. */
const SLOW_MS = 120_000;

describe.skipIf(skip)('Prometheus metrics', () => {
  let dir: string;
  let textDir: string;
  let textfile: string;
  const children: ChildProcess[] = [];
  const cli = (args: string[]) => sched(localExec(dir), args, { SCHED_HOME: path.join(dir, 'state') });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-e2e-metrics-'));
    textDir = path.join(dir, 'textfile');
    fs.mkdirSync(textDir);
    textfile = path.join(textDir, 'sched.prom');
    fs.writeFileSync(
      path.join(dir, 'schedules.yaml'),
      `version: 1
project: e2e-metrics
backend: embedded
metrics: { textfile: ./textfile/sched.prom }
jobs:
  good: { schedule: "*/5 * * * *", command: ["true"] }
  bad: { schedule: "0 3 * * *", command: ["sh", "-c", "exit 3"] }
`,
    );
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }, SLOW_MS);

  it(
    'sched run rewrites the textfile after each run, and promtool accepts it',
    async () => {
      expect((await cli(['run', 'good', '--project', 'e2e-metrics'])).exitCode).toBe(0);
      expect((await cli(['run', 'bad', '--project', 'e2e-metrics'])).exitCode).toBe(3);
      const text = fs.readFileSync(textfile, 'utf8');
      expect(text).toContain('sched_job_last_exit_code{project="e2e-metrics",job="bad"} 3');
      expect(text).toContain('sched_job_runs_total{project="e2e-metrics",job="good",result="ok"} 1');
      expect(text).toMatch(/^# TYPE sched_job_runs_total counter$/m);
      expect(fs.readdirSync(textDir)).toEqual(['sched.prom']); // no temp file left behind
      const check = promtool(text);
      expect(check.status, check.output).toBe(0);
    },
    SLOW_MS,
  );

  it(
    'sched metrics prints every family with HELP and TYPE, drift included, and promtool accepts it',
    async () => {
      const r = await cli(['metrics']);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const name of [
        'sched_job_last_run_timestamp_seconds',
        'sched_job_last_success_timestamp_seconds',
        'sched_job_last_exit_code',
        'sched_job_last_duration_seconds',
        'sched_job_runs_total',
        'sched_job_next_run_timestamp_seconds',
        'sched_job_overdue',
        'sched_job_drift',
      ]) {
        expect(r.stdout).toMatch(new RegExp(`^# HELP ${name} `, 'm'));
        expect(r.stdout).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`, 'm'));
      }
      expect(r.stdout).toContain('sched_job_drift{project="e2e-metrics",job="good"} 0');
      const check = promtool(r.stdout);
      expect(check.status, check.output).toBe(0);
    },
    SLOW_MS,
  );

  it(
    'the example alert rules (examples/prometheus) pass promtool check rules',
    () => {
      const rules = path.join(REPO_ROOT, 'examples', 'prometheus', 'sched-alerts.yml');
      const r = spawnSync('promtool', ['check', 'rules', rules], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/SUCCESS: 5 rules found/);
      // Every metric the rules use is one sched exports.
      const used = new Set(fs.readFileSync(rules, 'utf8').match(/sched_job_[a-z_]+/g));
      for (const name of used) expect(fs.readFileSync(textfile, 'utf8') + 'sched_job_drift').toContain(name);
    },
    SLOW_MS,
  );

  it(
    'a real node_exporter serves the textfile',
    async () => {
      const port = await freePort();
      const exporter = spawn(
        'prometheus-node-exporter',
        [
          '--collector.disable-defaults',
          '--collector.textfile',
          `--collector.textfile.directory=${textDir}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: 'ignore' },
      );
      children.push(exporter);
      const body = await scrapeUntil(`http://127.0.0.1:${port}/metrics`, (b) =>
        b.includes('sched_job_last_exit_code{job="bad",project="e2e-metrics"} 3'),
      );
      expect(body).toMatch(/^sched_job_runs_total\{job="good",project="e2e-metrics",result="ok"\} 1$/m);
      expect(body).toMatch(/^node_textfile_scrape_error 0$/m);
    },
    SLOW_MS,
  );

  it(
    'sched daemon --metrics-listen serves /metrics, and refuses a bad address clearly',
    async () => {
      const port = await freePort();
      const daemon = spawn(process.execPath, [SCHED_BIN, 'daemon', '--metrics-listen', `127.0.0.1:${port}`], {
        env: { ...process.env, SCHED_HOME: path.join(dir, 'state') },
        stdio: 'ignore',
      });
      children.push(daemon);
      const body = await scrapeUntil(`http://127.0.0.1:${port}/metrics`, (b) =>
        b.includes('sched_job_last_exit_code{project="e2e-metrics",job="bad"} 3'),
      );
      expect(promtool(body).status).toBe(0);
      expect((await get(`http://127.0.0.1:${port}/other`)).status).toBe(404);
      daemon.kill('SIGTERM');
      const bad = await cli(['daemon', '--metrics-listen', 'localhost']);
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toMatch(/invalid --metrics-listen 'localhost'/);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    },
    SLOW_MS,
  );
});
