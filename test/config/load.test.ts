/** Resolution of a valid file into Project/Job, and targeted checks of loader behaviour. */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendSettings } from '../../src/backends/registry.js';
import type { SettingsResolver } from '../../src/config/backend-settings.js';
import { loadProject } from '../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sched load-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-06-01T12:00:00Z');

async function load(
  yaml: string,
  name = 'schedules.yaml',
  settings: readonly SettingsResolver[] = backendSettings(),
) {
  const file = path.join(dir, name);
  await writeFile(file, yaml);
  return loadProject(file, {
    displayName: name,
    now: NOW,
    hostTimezone: 'America/Chicago',
    backendSettings: settings,
  });
}

describe('resolution', () => {
  it('merges defaults, resolves paths, durations, presets and defaults', async () => {
    await mkdir(path.join(dir, 'reports'));
    await writeFile(path.join(dir, '.env.report'), 'TOKEN=x\n');
    await chmod(path.join(dir, '.env.report'), 0o600);
    const r = await load(`
version: 1
project: billing
backend: crontab
defaults:
  timezone: Europe/Istanbul
  env: { PATH: /usr/bin, LANG: C }
  retries: { max: 1, delay: 30s }
  timeout: 1h
jobs:
  nightly-report:
    description: Build the report
    schedule: "0 2 * * *"
    command: ["node", "scripts/report.js", "--since", "yesterday"]
    working_dir: ./reports
    env_file: .env.report
    env: { LANG: en_US.UTF-8, EXTRA: "1" }
    timeout: 30m
    overlap: queue
    catch_up: true
    retries: { max: 2 }
    jitter: 1h30m
  weekday-sync:
    schedule: weekday
    command: ./sync.sh --fast
    timezone: UTC
  year-end:
    schedule: { at: "2026-12-31 09:00" }
    command: ./close-books.sh
    enabled: false
    on_failure: ["./notify.sh", "failed"]
`);
    expect(r.diagnostics).toEqual([]);
    const p = r.project!;
    expect(p.name).toBe('billing');
    expect(p.backend).toBe('crontab');
    expect(p.file).toBe(path.join(dir, 'schedules.yaml'));
    expect(p.jobs.map((j) => j.name)).toEqual(['nightly-report', 'weekday-sync', 'year-end']);
    const [a, b, c] = p.jobs as [(typeof p.jobs)[0], (typeof p.jobs)[0], (typeof p.jobs)[0]];
    expect(a).toEqual({
      project: 'billing',
      name: 'nightly-report',
      description: 'Build the report',
      schedule: { kind: 'cron', expr: '0 2 * * *', source: '0 2 * * *' },
      command: { argv: ['node', 'scripts/report.js', '--since', 'yesterday'] },
      workingDir: path.join(dir, 'reports'),
      env: { PATH: '/usr/bin', LANG: 'en_US.UTF-8', EXTRA: '1' },
      envFile: path.join(dir, '.env.report'),
      timezone: 'Europe/Istanbul',
      timeoutSeconds: 1800,
      overlap: 'queue',
      catchUp: true,
      retries: { max: 2, delaySeconds: 30 },
      jitterSeconds: 5400,
      enabled: true,
    });
    expect(b.schedule).toEqual({ kind: 'cron', expr: '0 9 * * 1-5', source: 'weekday' });
    expect(b.command).toEqual({ shell: './sync.sh --fast' });
    expect(b.timezone).toBe('UTC');
    expect(b.workingDir).toBe(dir);
    expect(b.overlap).toBe('skip');
    expect(b.catchUp).toBe(false);
    expect(b.timeoutSeconds).toBe(3600);
    expect(c.schedule.kind).toBe('at');
    expect(c.enabled).toBe(false);
    expect(c.onFailure).toEqual({ argv: ['./notify.sh', 'failed'] });
  });

  it('uses the built-in defaults when nothing is set', async () => {
    const r = await load(
      'version: 1\njobs:\n  a:\n    schedule: boot\n    command: [true]\n'.replace('[true]', '["true"]'),
    );
    expect(r.diagnostics).toEqual([]);
    const j = r.project!.jobs[0]!;
    expect(j.schedule).toEqual({ kind: 'event', event: 'boot', source: 'boot' });
    expect(j.timezone).toBe('America/Chicago');
    expect(j).toMatchObject({
      overlap: 'skip',
      catchUp: false,
      retries: { max: 0, delaySeconds: 0 },
      jitterSeconds: 0,
      enabled: true,
      env: {},
    });
    expect(j.timeoutSeconds).toBeUndefined();
    expect(j.envFile).toBeUndefined();
    expect(r.project!.backend).toBe('auto');
  });

  it('derives the project name from the folder, slugified', async () => {
    const r = await load('version: 1\njobs: {}\n');
    expect(r.project!.name).toBe(
      path
        .basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-'),
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['no-jobs']);
  });

  it('keeps file order for job names that look like numbers', async () => {
    const r = await load(
      'version: 1\njobs:\n  zeta: {schedule: day, command: x}\n  "10": {schedule: day, command: x}\n  alpha: {schedule: day, command: x}\n',
    );
    expect(r.project!.jobs.map((j) => j.name)).toEqual(['zeta', '10', 'alpha']);
  });

  it('accepts YAML merge keys, and anchors under x- keys', async () => {
    const r = await load(`
version: 1
x-common: &common
  timeout: 5m
jobs:
  a:
    <<: *common
    schedule: day
    command: x
`);
    // x- keys are ignored by sched: they exist to hold anchors.
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.jobs[0]!.timeoutSeconds).toBe(300);
  });
});

describe('positions', () => {
  it('points inside a quoted cron expression at the bad field', async () => {
    const r = await load('version: 1\njobs:\n  a:\n    schedule: "0 2 * 13 *"\n    command: x\n');
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect([d.line, d.col, d.code]).toEqual([4, 15 + 1 + 6, 'bad-schedule']);
  });

  it('reports the one-shot in the past in the job zone, not the host zone', async () => {
    // 2026-06-01 05:30 in Tokyo is 2026-05-31T20:30Z: past. In Los Angeles it is 12:30Z: future.
    const r1 = await load(
      'version: 1\njobs:\n  a:\n    schedule: {at: "2026-06-01 05:30"}\n    timezone: Asia/Tokyo\n    command: x\n',
    );
    expect(r1.diagnostics.map((d) => d.code)).toEqual(['at-in-past']);
    const r2 = await load(
      'version: 1\njobs:\n  a:\n    schedule: {at: "2026-06-01 05:30"}\n    timezone: America/Los_Angeles\n    command: x\n',
    );
    expect(r2.diagnostics).toEqual([]);
  });

  it('finds every problem at once and sorts them by position', async () => {
    const r = await load(`version: 1
jobs:
  b:
    schedule: "0 0 31 2 *"
    command: []
  a:
    schedule: daily
    command: x
    overlap: nope
`);
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}:${d.code}`)).toEqual([
      '4:15:never-fires',
      '5:14:empty-value',
      '7:15:bad-schedule',
      '9:14:bad-value',
    ]);
    expect(r.project).toBeUndefined();
  });

  it('reports an unreadable path as a diagnostic, not a throw', async () => {
    const r = await loadProject(path.join(dir, 'nope.yaml'), { displayName: 'nope.yaml' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['read-error']);
  });

  it('skips filesystem checks when asked', async () => {
    const r = await loadProject(
      await (async () => {
        const f = path.join(dir, 's.yaml');
        await writeFile(
          f,
          'version: 1\njobs:\n  a:\n    schedule: day\n    command: x\n    env_file: missing.env\n    working_dir: nowhere\n',
        );
        return f;
      })(),
      { checkFilesystem: false },
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.jobs[0]!.workingDir).toBe(path.join(dir, 'nowhere'));
  });
});

describe('kubernetes block', () => {
  it('merges defaults and job blocks and keeps the container working dir as written', async () => {
    const r = await load(`
version: 1
project: billing
backend: kubernetes
defaults:
  kubernetes:
    namespace: batch
    image: img:1
    history: { successful: 3, failed: 1 }
jobs:
  export:
    schedule: day
    command: ["node", "export.js"]
    kubernetes:
      image: img:2
      working_dir: /app
      service_account: exporter
      env_from_secret: export-env
      resources: { requests: { cpu: 500m } }
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.jobs[0]!.kubernetes).toEqual({
      namespace: 'batch',
      image: 'img:2',
      workingDir: '/app',
      serviceAccount: 'exporter',
      envFromSecret: 'export-env',
      resources: { requests: { cpu: '500m' } },
      history: { successful: 3, failed: 1 },
    });
  });

  it('is resolved only by the settings the loader is given (config knows no backend)', async () => {
    const yaml =
      'version: 1\nbackend: kubernetes\ndefaults:\n  kubernetes: { namespace: b, image: i }\njobs:\n  a: { schedule: day, command: x }\n';
    expect((await load(yaml)).project!.jobs[0]!.kubernetes).toEqual({ namespace: 'b', image: 'i' });
    const without = await load(yaml, 'schedules.yaml', []);
    expect(without.diagnostics).toEqual([]);
    expect(without.project!.jobs[0]).not.toHaveProperty('kubernetes');
  });

  it("reports a resolver's diagnostics where the key is written, under the job or defaults", async () => {
    const seen: Record<string, unknown>[] = [];
    const picky: SettingsResolver = {
      key: 'kubernetes',
      resolve(raw) {
        seen.push(raw);
        return {
          settings: { namespace: String(raw.namespace), image: String(raw.image) },
          diagnostics: [
            { path: ['image'], severity: 'warning', code: 'image-tag', message: 'pin the image by digest' },
            {
              path: ['namespace'],
              severity: 'error',
              code: 'bad-ns',
              message: 'no such namespace',
              hint: 'create it',
            },
          ],
        };
      },
    };
    const r = await load(
      [
        'version: 1',
        'backend: kubernetes',
        'defaults:',
        '  kubernetes:',
        '    namespace: batch',
        'jobs:',
        '  a:',
        '    schedule: day',
        '    command: x',
        '    kubernetes:',
        '      image: img:2',
        '',
      ].join('\n'),
      'schedules.yaml',
      [picky],
    );
    expect(seen).toContainEqual({ namespace: 'batch', image: 'img:2' });
    expect(r.project).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.line, d.severity, d.code, d.message, d.hint])).toEqual([
      [5, 'error', 'bad-ns', 'no such namespace', 'create it'],
      [11, 'warning', 'image-tag', 'pin the image by digest', undefined],
    ]);
  });

  it('rejects a relative container working dir', async () => {
    const r = await load(
      'version: 1\nbackend: kubernetes\ndefaults:\n  kubernetes: { namespace: b, image: i, working_dir: app }\njobs:\n  a: { schedule: day, command: x }\n',
    );
    expect(r.diagnostics.map((d) => [d.line, d.code])).toEqual([[4, 'bad-format']]);
  });
});

describe('the day-of-month OR day-of-week warning', () => {
  it('is not given for @-macros, which set every day without the star flags', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sched-macro-'));
    const file = path.join(dir, 'schedules.yaml');
    const jobs = ['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '0 0 1 * 1']
      .map((s, i) => `  j${i}:\n    schedule: "${s}"\n    command: ["true"]\n`)
      .join('');
    await writeFile(file, `version: 1\nproject: m\nbackend: embedded\njobs:\n${jobs}`);
    const { diagnostics } = await loadProject(file, { now: new Date('2026-01-01T00:00:00Z') });
    expect(diagnostics.filter((d) => d.code === 'dom-or-dow').map((d) => d.message)).toEqual([
      "schedule '0 0 1 * 1' of job 'j5' restricts both day-of-month and day-of-week: cron runs on days matching EITHER, not both",
    ]);
  });
});

describe('a job setting at the top level', () => {
  it('is recognised for generic keys and for a backend settings key taken from the schema', async () => {
    for (const key of ['timeout: 5m', 'kubernetes: { namespace: a, image: b }']) {
      const r = await load(`version: 1\nproject: p\n${key}\njobs:\n  a: { schedule: day, command: [x] }\n`);
      const name = key.split(':')[0];
      expect(r.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
        [
          'unknown-key',
          `unknown top-level key '${name}'`,
          "job settings go under 'jobs:', then the job's name",
        ],
      ]);
    }
  });
});
