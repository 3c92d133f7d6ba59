/// <reference lib="dom" />
/**
 * `sched ui` in a real browser: Debian's Chromium, headless, driven by playwright-core (no
 * browser download). A project on the embedded backend with real history from `sched run` (one
 * job fails); the compiled `sched ui` serves it. The page must show the failed job marked, open
 * its log, start a run with Run now and show it, and pause a job through the plan it shows (the
 * file keeps its comments). Screenshots of the overview, the timeline and a job page are written
 * to docs/images/ for the README. Also times the rendering of a 1,000-job overview (reported,
 * not asserted: timing depends on the machine).
 *
 * Without Chromium the test is skipped locally and FAILS in CI (CI=true): CI installs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, REPO_ROOT, sched, SCHED_BIN } from '../e2e/helpers/cli.js';

const CHROMIUM = process.env.SCHED_TEST_CHROMIUM ?? '/usr/bin/chromium';
const missing = fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
if (missing && process.env.CI) {
  // CI installs chromium: its absence there is a failure, not a reason to skip.
  describe('sched ui in Chromium', () => {
    it('has a browser to run in', () => {
      throw new Error(`the browser test cannot run: ${missing}`);
    });
  });
}
const skip = cliSkipReason() ?? missing;
if (skip) console.warn(`[skip] ui browser: ${skip}`);

const SLOW_MS = 180_000;
const WAIT_MS = 60_000;
const IMAGES = path.join(REPO_ROOT, 'docs', 'images');

const YAML = `version: 1
project: demo
backend: embedded
# Jobs of the demo project: comments stay when the dashboard pauses one.
defaults:
  timezone: Europe/Berlin
jobs:
  # Every five minutes: pull the queue.
  sync-inbox:
    description: pull new messages
    schedule: "*/5 * * * *"
    command: ["sh", "-c", "echo synced 12 messages"]
  nightly-backup:
    schedule: "30 2 * * *"   # skipped hour on spring-forward night
    command: ["sh", "-c", "echo dumping; sleep 1; echo backup written"]
  report:
    schedule: "0 7 * * 1-5"
    command: ["sh", "-c", "echo 'connecting to warehouse'; echo 'report query failed: timeout' >&2; exit 2"]
  cleanup:
    schedule: "0 3 * * *"
    command: ["sh", "-c", "echo removed 3 files"]
`;

describe.skipIf(skip)('sched ui in Chromium', () => {
  let dir: string;
  let file: string;
  let ui: ChildProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  const env = () => ({ SCHED_HOME: path.join(dir, 'state') });
  const cli = (args: string[]) => sched(localExec(dir), args, env());

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-ui-browser-'));
    file = path.join(dir, 'schedules.yaml');
    fs.writeFileSync(file, YAML);
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    for (const job of ['sync-inbox', 'sync-inbox', 'nightly-backup', 'cleanup', 'sync-inbox'])
      expect((await cli(['run', job, '--project', 'demo'])).exitCode).toBe(0);
    expect((await cli(['run', 'report', '--project', 'demo'])).exitCode).toBe(2);

    ui = spawn(process.execPath, [SCHED_BIN, 'ui'], {
      cwd: dir,
      env: { ...process.env, ...env(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sched ui printed no URL:\n${out}`)), WAIT_MS);
      ui.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      ui.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
      ui.on('exit', (code) => reject(new Error(`sched ui exited (${code}):\n${out}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a container: Chromium's sandbox needs user namespaces it may not have.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({
      viewport: { width: 1280, height: 860 },
      locale: 'en-GB',
      timezoneId: 'Europe/Berlin',
    });
    page.setDefaultTimeout(WAIT_MS);
    fs.mkdirSync(IMAGES, { recursive: true });
  }, SLOW_MS);

  afterAll(async () => {
    await browser?.close();
    if (ui && ui.exitCode === null) ui.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'overview: every job with its status, the failed one marked; Ctrl-C later stops the server',
    async () => {
      await page.goto(url);
      // The token went into a cookie and out of the address bar.
      expect(page.url()).not.toContain('token=');
      const failed = page.locator('.row[data-job="report"]');
      await failed.locator('.badge.s-failed').waitFor();
      expect(await failed.getAttribute('data-status')).toBe('failed');
      expect(await failed.innerText()).toMatch(/exit 2/);
      expect(await page.locator('.row[data-job="sync-inbox"]').getAttribute('data-status')).toBe('ok');
      await page.locator('button.chip[data-filter="failed"]').click();
      await page.waitForFunction(() => document.querySelectorAll('#jobs-body .row').length === 1);
      expect(await page.locator('#jobs-body .row').getAttribute('data-job')).toBe('report');
      await page.locator('button.chip[data-filter="all"]').click();
      await page.waitForFunction(() => document.querySelectorAll('#jobs-body .row[data-job]').length === 4);
      await page.screenshot({ path: path.join(IMAGES, 'ui-overview.png') });
    },
    SLOW_MS,
  );

  it(
    "job page: the failed run's log, the history chart and table, the spec and the native artifact",
    async () => {
      await page.locator('.row[data-job="report"] a').click();
      await page.locator('#history-table').waitFor();
      expect(await page.locator('#history-chart rect[data-result="failed"]').count()).toBe(1);
      await page.locator('#history-table button[data-log]').first().click();
      await page.waitForFunction(() =>
        document.getElementById('log')?.textContent?.includes('report query failed'),
      );
      expect(await page.locator('#log .err').first().innerText()).toContain('report query failed: timeout');
      expect(await page.locator('#spec').innerText()).toContain('"name": "report"');
      expect(await page.locator('pre.block').nth(1).innerText()).toContain(
        'sched-managed project=demo job=report',
      );
      await page.screenshot({ path: path.join(IMAGES, 'ui-job.png'), fullPage: true });
    },
    SLOW_MS,
  );

  it(
    'Run now starts a run and the page shows it',
    async () => {
      const rows = page.locator('#history-table tbody tr');
      expect(await rows.count()).toBe(1);
      await page.locator('button[data-action="run-now"]').click();
      await page.locator('#toast div', { hasText: 'Started report' }).waitFor();
      // The page polls: the new run shows up without a reload.
      await page.waitForFunction(
        () => document.querySelectorAll('#history-table tbody tr').length === 2,
        null,
        {
          timeout: WAIT_MS,
        },
      );
      const newest = page.locator('#history-table tbody tr').first();
      await page.waitForFunction(
        () =>
          document.querySelector('#history-table tbody tr')?.getAttribute('data-result') === 'failed' &&
          document.querySelector('#history-table tbody tr')?.textContent?.includes('manual'),
      );
      expect(await newest.innerText()).toMatch(/manual/);
    },
    SLOW_MS,
  );

  it(
    'timeline: 24 h and 7 days with typical durations, zoom, and the clock-change day marked',
    async () => {
      await page.goto(url.replace(/\?token=.*/, '#/timeline'));
      await page.locator('#timeline-svg').waitFor();
      expect(await page.locator('#timeline-svg rect.fire').count()).toBeGreaterThan(200);
      await page.locator('button[data-hours="168"]').click();
      await page.locator('button[data-hours="168"][aria-pressed="true"]').waitFor();
      // The week of the spring-forward change in Europe/Berlin.
      await page.locator('#tl-from').fill('2027-03-25');
      await page.locator('#tl-from').dispatchEvent('change');
      await page.locator('#clock-changes').waitFor();
      expect(await page.locator('#clock-changes').innerText()).toMatch(/Europe\/Berlin .*\+01:00 → \+02:00/);
      expect(await page.locator('#timeline-svg [data-clock-change="Europe/Berlin"]').count()).toBe(1);
      await page.screenshot({ path: path.join(IMAGES, 'ui-timeline.png'), fullPage: true });
      const narrow = await page.locator('#timeline-svg').getAttribute('width');
      await page.locator('button[data-zoom="in"]').click();
      await page.waitForFunction(
        (w) => Number(document.getElementById('timeline-svg')?.getAttribute('width')) > 1.5 * Number(w),
        narrow,
      );
    },
    SLOW_MS,
  );

  it(
    'Pause edits schedules.yaml (comments kept), shows the plan, and applies it only when confirmed',
    async () => {
      await page.goto(url.replace(/\?token=.*/, '#/'));
      await page.locator('.row[data-job="cleanup"] button[data-action="pause"]').click();
      await page.locator('#plan-panel:not([hidden])').waitFor();
      expect(await page.locator('#plan-text').innerText()).toMatch(/~ cleanup \(paused\)/);
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toMatch(/cleanup:\n(.*\n)*?\s+enabled: false\n/);
      expect(text).toContain('# Jobs of the demo project: comments stay when the dashboard pauses one.');
      expect(text).toContain('schedule: "30 2 * * *"   # skipped hour on spring-forward night');
      // Not applied yet: the row shows the drift.
      await page.locator('.row[data-job="cleanup"][data-status="drift"]').waitFor();
      await page.locator('#plan-apply').click();
      await page
        .locator('#toast div', { hasText: 'Apply complete: 0 added, 1 changed, 0 deleted.' })
        .waitFor();
      await page.locator('.row[data-job="cleanup"][data-status="paused"]').waitFor();
      const status = await cli(['status', '--json']);
      const row = (JSON.parse(status.stdout) as { jobs: { job: string; state: string }[] }).jobs.find(
        (j) => j.job === 'cleanup',
      );
      expect(row?.state).toBe('paused');
    },
    SLOW_MS,
  );

  it(
    'renders an overview of 1,000 jobs (time reported, not asserted)',
    async () => {
      const ms = await page.evaluate(async () => {
        const data = (await (await fetch('/api/overview')).json()) as { jobs: { job: string }[] };
        const rows = Array.from({ length: 1000 }, (_, i) => ({
          ...data.jobs[i % data.jobs.length],
          job: `job-${i}`,
        }));
        const w = window as unknown as { schedUi: { renderOverviewRows(r: unknown[]): number } };
        const t0 = performance.now();
        w.schedUi.renderOverviewRows(rows);
        // Include layout: the time until the browser can paint the table.
        document.body.getBoundingClientRect();
        return performance.now() - t0;
      });
      expect(await page.locator('#jobs-body .row').count()).toBe(1000);
      // For scale on a loaded machine: the same for a bare 1,000-row table of plain text.
      const bare = await page.evaluate(() => {
        const box = document.createElement('div');
        document.body.append(box);
        const t0 = performance.now();
        box.innerHTML = `<table>${'<tr><td>a</td><td>b</td><td>c</td><td>d</td><td>e</td><td>f</td></tr>'.repeat(1000)}</table>`;
        document.body.getBoundingClientRect();
        const ms = performance.now() - t0;
        box.remove();
        return ms;
      });
      console.log(
        `[ui] overview of 1,000 jobs rendered in ${ms.toFixed(1)} ms (render + layout); a bare 1,000-row table: ${bare.toFixed(1)} ms`,
      );
    },
    SLOW_MS,
  );

  it(
    'Ctrl-C stops sched ui with exit code 0',
    async () => {
      const exited = new Promise<number | null>((resolve) => ui.on('exit', (code) => resolve(code)));
      ui.kill('SIGINT');
      expect(await exited).toBe(0);
    },
    SLOW_MS,
  );
});
