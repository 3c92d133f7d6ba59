/**
 * `validate` and `render` of the compiled CLI name every clock-change difference of a CronJob
 * from Debian cron: refused (exit 1) where runs are lost outright (Australia/Lord_Howe), a
 * warning (exit 0, files written) where a gap time is skipped or a repeated hour doubled
 * (America/New_York, Europe/Berlin). Dates depend on today, so only their shape is asserted.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
const dir = mkdtempSync(path.join(tmpdir(), 'sched-k8s-clock-'));
const exec = localExec(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(file: string, jobs: string, strict?: boolean): string {
  const p = path.join(dir, file);
  writeFileSync(
    p,
    `version: 1
project: billing
backend: kubernetes
defaults:
  kubernetes:
    namespace: batch
    image: ghcr.io/acme/billing:1.4.2
${strict === undefined ? '' : `    strict_clock_changes: ${strict}\n`}jobs:
${jobs}`,
  );
  return p;
}

const lordHowe = `  report:
    schedule: "0 9 * * *"
    timezone: Australia/Lord_Howe
    command: ["report"]
`;
const newYorkAndBerlin = `  ny:
    schedule: "30 2 * * *"
    timezone: America/New_York
    command: ["ny"]
  berlin:
    schedule: "30 2 * * *"
    timezone: Europe/Berlin
    command: ["berlin"]
`;
const DATE = /\d{4}-\d\d-\d\d \d\d:\d\d/;

describe.skipIf(skip)('kubernetes clock changes in validate and render', () => {
  it('Lord Howe: validate and render refuse with the same words, exit 1', async () => {
    const file = project('lh.yaml', lordHowe);
    const v = await sched(exec, ['validate', '-f', file]);
    expect(v.exitCode).toBe(1);
    expect(v.stdout + v.stderr).toMatch(
      /job 'report' cannot run on kubernetes: at clock changes in Australia\/Lord_Howe within 5 years the CronJob loses runs outright/,
    );
    expect(v.stdout + v.stderr).toMatch(DATE);
    const out = path.join(dir, 'out-lh');
    const r = await sched(exec, ['render', '--backend', 'kubernetes', '--out', out, '-f', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /job 'report' cannot run on kubernetes: at clock changes in Australia\/Lord_Howe/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('Lord Howe with strict_clock_changes: false: valid, rendered, warned', async () => {
    const file = project('lh-ok.yaml', lordHowe, false);
    const v = await sched(exec, ['validate', '-f', file]);
    expect(v.exitCode).toBe(0);
    expect(v.stdout + v.stderr).toMatch(
      /warning.*job 'report' on kubernetes: at clock changes .* loses runs outright/,
    );
    const r = await sched(exec, [
      'render',
      '--backend',
      'kubernetes',
      '--out',
      path.join(dir, 'out-lh-ok'),
      '-f',
      file,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/job 'report' on kubernetes: .*loses runs outright/);
  });

  it('New York and Berlin: warnings naming skipped and doubled runs; strict refuses', async () => {
    const file = project('nyb.yaml', newYorkAndBerlin);
    const v = await sched(exec, ['validate', '-f', file]);
    expect(v.exitCode).toBe(0);
    const said = v.stdout + v.stderr;
    expect(said).toMatch(
      /job 'ny' on kubernetes: .*America\/New_York.*skips the run Debian cron makes right after a spring-forward jump: \d{4}-03-\d\d 03:00/,
    );
    expect(said).toMatch(
      /job 'berlin' on kubernetes: .*Europe\/Berlin.*runs twice in the repeated autumn hour: \d{4}-10-\d\d 02:30/,
    );
    const r = await sched(exec, [
      'render',
      '--backend',
      'kubernetes',
      '--out',
      path.join(dir, 'out-nyb'),
      '-f',
      file,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/job 'ny' on kubernetes/);
    expect(r.stderr).toMatch(/job 'berlin' on kubernetes/);
    const strict = await sched(exec, ['validate', '-f', project('nyb-strict.yaml', newYorkAndBerlin, true)]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout + strict.stderr).toMatch(/refused: kubernetes.strict_clock_changes is true/);
  });
});
