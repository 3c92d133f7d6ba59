/**
 * The plan-time size check counts the project's block exactly as render writes it, so it refuses
 * the job where the block would pass the crontab's 10,000 lines, and nothing below that.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrontabBackend } from '../../../src/backends/crontab/index.js';
import {
  blockLineCount,
  checkBlockSize,
  DEBIAN_CRONTAB_MAX_LINES,
} from '../../../src/backends/crontab/render.js';
import type { Job } from '../../../src/model/job.js';
import { ctx, FakeCrontab, job } from './fixtures.js';

/** The block's lines as `sched render` (and apply, into an empty crontab) writes it. */
function renderedLines(jobs: Job[]): number {
  const backend = new CrontabBackend({ runner: new FakeCrontab() });
  const artifacts = [
    ...backend.renderProject('billing', jobs, ctx),
    ...jobs.flatMap((j) => backend.render(j, ctx)),
  ];
  if (artifacts.length === 0) return 0;
  const [file] = backend.renderFiles('billing', artifacts);
  return String(file!.content).split('\n').length - 1;
}

/** Jobs of project billing: enabled or not, with or without a description, cron or boot. */
const jobsArb = fc
  .array(
    fc.record({
      enabled: fc.boolean(),
      description: fc.option(fc.constantFrom('nightly report', '  ', 'two\nlines'), { nil: undefined }),
      boot: fc.boolean(),
    }),
    { maxLength: 12 },
  )
  .map((specs) =>
    specs.map((s, i) =>
      job(`j${i}`, {
        project: 'billing',
        enabled: s.enabled,
        description: s.description,
        ...(s.boot ? { schedule: { kind: 'event', event: 'boot', source: 'boot' } } : {}),
      }),
    ),
  );

describe('checkBlockSize', () => {
  it('counts the lines render writes, whatever the jobs (fast-check)', () => {
    fc.assert(
      fc.property(jobsArb, (jobs) => {
        expect(blockLineCount(jobs)).toBe(renderedLines(jobs));
      }),
      { numRuns: 200 },
    );
  });

  it('lets 4,998 plain jobs fill the crontab and refuses the 4,999th', () => {
    const jobs = Array.from({ length: 4_999 }, (_, i) => job(`j${i}`, { project: 'billing' }));
    expect(checkBlockSize(jobs.slice(0, 4_998))).toEqual([]);
    expect(renderedLines(jobs.slice(0, 4_998))).toBe(DEBIAN_CRONTAB_MAX_LINES);
    expect(checkBlockSize(jobs)).toEqual([
      { job: 'j4998', problem: expect.stringMatching(/passes 10,000 lines at this job \(4,999 jobs/) },
    ]);
  });

  it('counts descriptions and leaves paused jobs out', () => {
    const described = Array.from({ length: 3_333 }, (_, i) =>
      job(`d${i}`, { project: 'billing', description: 'nightly' }),
    );
    const paused = Array.from({ length: 100 }, (_, i) =>
      job(`p${i}`, { project: 'billing', enabled: false }),
    );
    // 4 + 3 × 3,332 = 10,000 lines: the 3,333rd described job is the one that does not fit.
    expect(checkBlockSize([...paused, ...described.slice(0, 3_332)])).toEqual([]);
    expect(checkBlockSize([...paused, ...described]).map((p) => p.job)).toEqual(['d3332']);
  });
});
