/**
 * Golden files for rendered crontab blocks: test/golden/crontab/<case>/expected.crontab (and
 * input.crontab where the case starts from an existing crontab). UPDATE_GOLDEN=1 rewrites them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RenderContext } from '../../../src/backends/types.js';
import type { Job } from '../../../src/model/job.js';
import { applyChanges } from '../../../src/backends/crontab/parse.js';
import { renderJob, renderProjectEntries } from '../../../src/backends/crontab/render.js';
import { expectGolden } from '../../helpers/golden.js';
import { ctx, job } from './fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../golden/crontab');

function renderAll(jobs: Job[], c: RenderContext, input = ''): string {
  const artifacts = [
    ...renderProjectEntries(jobs[0]!.project, jobs, c),
    ...jobs.flatMap((j) => renderJob(j, c)),
  ];
  return applyChanges(
    input,
    jobs[0]!.project,
    artifacts.map((a) => ({ action: 'create' as const, id: a.id, job: a.job, kind: a.kind, after: a })),
  );
}

const three = [
  job('nightly-report', {
    description: 'Build and mail the nightly report',
    schedule: { kind: 'cron', expr: '0 2 * * *', source: '0 2 * * *' },
  }),
  job('weekday-sync', { schedule: { kind: 'cron', expr: '0 9 * * 1-5', source: 'weekday' } }),
  job('warm-cache', { schedule: { kind: 'event', event: 'boot', source: 'boot' } }),
  job('paused', { enabled: false }),
];

const cases: Record<string, () => { input?: string; output: string }> = {
  'three-jobs': () => ({ output: renderAll(three, ctx) }),
  'boot-only': () => ({
    output: renderAll(
      [job('warm-cache', { schedule: { kind: 'event', event: 'boot', source: 'boot' } })],
      ctx,
    ),
  }),
  'special-paths': () => ({
    output: renderAll(
      [
        job('hourly', {
          description: "100% 'quoted' $HOME \\ done",
          schedule: { kind: 'cron', expr: '@hourly', source: '@hourly' },
        }),
      ],
      { ...ctx, nodePath: "/opt/my node's/bin/node", schedBin: '/srv/50%\\off/$sched/bin/run.js' },
    ),
  }),
  'into-foreign': () => {
    const input = readFileSync(path.join(root, 'into-foreign', 'input.crontab'), 'utf8');
    return { input, output: renderAll(three, ctx, input) };
  },
};

describe('crontab golden files', () => {
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      const { input, output } = make();
      expectGolden(path.join(root, name, 'expected.crontab'), output);
      if (input !== undefined) expect(output.startsWith(input)).toBe(true);
    });
  }
});
