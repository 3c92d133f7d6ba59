import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apply,
  destroy,
  InvalidConfigError,
  next,
  plan,
  projectFromObject,
  render,
  status,
  UserError,
  validate,
} from '../../src/api.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sched-api-'));
  env = { ...process.env, SCHED_HOME: path.join(dir, 'state') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const threeJobs = {
  version: 1,
  project: 'api-test',
  backend: 'embedded',
  jobs: {
    backup: { schedule: '0 2 * * *', command: 'true', timezone: 'Europe/Berlin' },
    report: { schedule: 'weekday', command: ['echo', 'report'], timezone: 'UTC' },
    cleanup: { schedule: '@hourly', command: 'true', enabled: false },
  },
};

describe('library API', () => {
  it('plans and applies a project built from an object on the embedded backend', async () => {
    const project = await projectFromObject(threeJobs, { dir, env });
    expect(project.name).toBe('api-test');
    expect(project.fromObject).toBe(true);
    expect(project.definition.jobs.map((j) => j.name)).toEqual(['backup', 'report', 'cleanup']);

    const first = await plan(project, { env });
    expect(first.backend).toBe('embedded');
    expect(first.summary.add).toBe(3);
    await expect(apply(first, { confirm: false, env })).rejects.toThrow(/confirm: true/);

    const summary = await apply(first, { confirm: true, env });
    expect(summary.add).toBe(3);
    const again = await plan(project, { env });
    expect(again.jobs.every((j) => j.action === 'no-op')).toBe(true);

    const rows = await status(project, { env });
    expect(rows.jobs.map((r) => [r.job, r.state, r.drift])).toEqual([
      ['backup', 'scheduled', null],
      ['cleanup', 'paused', null],
      ['report', 'scheduled', null],
    ]);
    expect(Date.parse(rows.jobs.find((r) => r.job === 'backup')?.next_run ?? '')).not.toBeNaN();

    await expect(destroy(project, { confirm: false, env } as never)).rejects.toThrow(UserError);
    const removed = await destroy(project, { confirm: true, env });
    expect(removed.delete).toBe(3);
    expect((await plan(project, { env })).summary.add).toBe(3);
  });

  it('a plan goes stale when the project changed before apply', async () => {
    const project = await projectFromObject(threeJobs, { dir, env });
    const planned = await plan(project, { env });
    const other = await projectFromObject(
      { ...threeJobs, jobs: { ...threeJobs.jobs, extra: { schedule: '@daily', command: 'true' } } },
      { dir, env },
    );
    await apply(await plan(other, { env }), { confirm: true, env });
    await expect(apply(planned, { confirm: true, env })).rejects.toThrow(/stale/);
  });

  it('an invalid object gives typed diagnostics, not a project', async () => {
    const bad = {
      version: 1,
      backend: 'embedded',
      jobs: { 'Bad Name': { schedule: '61 * * * *', command: 'true' } },
    };
    const result = await validate(bad, { dir });
    expect(result.valid).toBe(false);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.file === '<object>' && d.line >= 1)).toBe(true);
    const err = await projectFromObject(bad, { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect((err as InvalidConfigError).diagnostics.map((d) => d.code)).toEqual(
      result.diagnostics.map((d) => d.code),
    );
  });

  it('next and render work without touching the host', async () => {
    const info = next('30 2 * * *', {
      zone: 'Europe/Berlin',
      from: new Date('2027-03-27T12:00:00Z'),
      count: 2,
    });
    expect(info.next).toEqual(['2027-03-28T03:00:00+02:00', '2027-03-29T02:30:00+02:00']);
    expect(info.clockChanges.join('\n')).toMatch(/2027-03-28/);
    const project = await projectFromObject(threeJobs, { dir, env });
    expect(next({ project, job: 'backup' }, { count: 1 }).timezone).toBe('Europe/Berlin');
    expect(() => next({ project, job: 'nope' })).toThrow(/no job nope/);
    const files = await render(project, 'systemd', { env });
    expect(files.map((f) => f.content).join('\n')).toContain('backup');
  });
});

describe('an object and a file give the same project', () => {
  const repo = path.resolve(import.meta.dirname, '../..');
  for (const example of ['basic', 'container', 'data-pipeline', 'kubernetes', 'quickstart', 'web-app']) {
    it(`examples/${example}`, async () => {
      const { loadProject } = await import('../../src/api.js');
      const { parse } = await import('yaml');
      const { readFileSync } = await import('node:fs');
      const file = path.join(repo, 'examples', example, 'schedules.yaml');
      const fromFile = await loadProject(file);
      const object = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const fromObject = await projectFromObject(object, { dir: path.dirname(file) });
      expect(fromObject.definition).toEqual(fromFile.definition);
      expect(fromObject.warnings.map((w) => w.code)).toEqual(fromFile.warnings.map((w) => w.code));
    });
  }
});
