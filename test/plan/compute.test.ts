import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../src/backends/header.js';
import {
  compareChanges,
  compareJobs,
  computeJobPlans,
  hostFingerprint,
  summarize,
} from '../../src/plan/compute.js';
import { BACKENDS, JOB_NAME_PATTERN } from '../../src/model/job.js';
import type { DesiredArtifact, FoundArtifact } from '../../src/plan/compute.js';
import { REASONS, type ChangeTarget } from '../../src/plan/types.js';

function desired(job: string, id: string, body: string): DesiredArtifact {
  return { id, job, kind: 'timer', content: body, hash: contentHash(body), target: 'systemd' };
}
function installed(
  job: string,
  id: string,
  recorded: string | undefined,
  now: string,
  registered = true,
): FoundArtifact {
  return {
    id,
    job,
    kind: 'timer',
    content: now,
    recordedHash: recorded === undefined ? undefined : contentHash(recorded),
    actualHash: contentHash(now),
    registered,
    target: 'systemd',
  };
}
const none = new Set<string>();

describe('computeJobPlans', () => {
  it('creates what is missing, with "new" for never-applied jobs and "missing" for applied ones', () => {
    const jobs = computeJobPlans({
      desired: [desired('a', 'a.timer', 'A'), desired('b', 'b.timer', 'B')],
      installed: [],
      previouslyApplied: new Set(['b']),
      paused: none,
    });
    expect(jobs.map((j) => [j.job, j.action, j.reasons])).toEqual([
      ['a', 'create', [REASONS.new]],
      ['b', 'create', [REASONS.missing]],
    ]);
  });

  it('a lost file beside a job’s other files, or one file fewer wanted, changes the job', () => {
    const jobs = computeJobPlans({
      desired: [
        desired('partly-lost', 'p.service', 'PS'),
        desired('partly-lost', 'p.timer', 'PT'),
        desired('shrunk', 's.timer', 'ST'),
      ],
      installed: [
        installed('partly-lost', 'p.timer', 'PT', 'PT'),
        installed('shrunk', 's.timer', 'ST', 'ST'),
        installed('shrunk', 's.service', 'SS', 'SS'),
        installed('gone', 'g.timer', 'GT', 'GT'),
      ],
      previouslyApplied: new Set(['partly-lost', 'shrunk', 'gone']),
      paused: none,
    });
    expect(jobs.map((j) => [j.job, j.action, j.changes.map((c) => `${c.action} ${c.id}`)])).toEqual([
      ['gone', 'delete', ['delete g.timer']],
      ['partly-lost', 'update', ['create p.service']],
      ['shrunk', 'update', ['delete s.service']],
    ]);
    expect(summarize(jobs)).toEqual({ add: 0, change: 2, delete: 1 });
  });

  it('tells a hand edit from a change in the file, and sees unregistered artifacts', () => {
    const jobs = computeJobPlans({
      desired: [
        desired('edited', 'e.timer', 'E'),
        desired('changed', 'c.timer', 'C2'),
        desired('off', 'o.timer', 'O'),
      ],
      installed: [
        installed('edited', 'e.timer', 'E', 'E with a hand edit'),
        installed('changed', 'c.timer', 'C1', 'C1'),
        installed('off', 'o.timer', 'O', 'O', false),
      ],
      previouslyApplied: none,
      paused: none,
    });
    const byJob = Object.fromEntries(jobs.map((j) => [j.job, j]));
    expect(byJob.edited!.reasons).toEqual([REASONS.handEdited]);
    expect(byJob.changed!.reasons).toEqual([REASONS.changed]);
    expect(byJob.off!.reasons).toEqual([REASONS.notRegistered]);
    expect(jobs.every((j) => j.action === 'update')).toBe(true);
  });

  it('reports nothing to do when everything matches', () => {
    const jobs = computeJobPlans({
      desired: [desired('a', 'a.timer', 'A')],
      installed: [installed('a', 'a.timer', 'A', 'A')],
      previouslyApplied: new Set(['a']),
      paused: none,
    });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.action).toBe('no-op');
    expect(summarize(jobs)).toEqual({ add: 0, change: 0, delete: 0 });
  });

  it('deletes what the file no longer declares, and says "paused" for disabled jobs', () => {
    const jobs = computeJobPlans({
      desired: [],
      installed: [installed('gone', 'g.timer', 'G', 'G'), installed('resting', 'r.timer', 'R', 'R')],
      previouslyApplied: none,
      paused: new Set(['resting']),
    });
    expect(jobs.map((j) => [j.job, j.action, j.reasons[0]])).toEqual([
      ['gone', 'delete', REASONS.removed],
      ['resting', 'delete', REASONS.paused],
    ]);
    expect(summarize(jobs)).toEqual({ add: 0, change: 0, delete: 2 });
  });

  it('refuses to overwrite an artifact sched did not write', () => {
    expect(() =>
      computeJobPlans({
        desired: [desired('a', 'a.timer', 'A')],
        installed: [installed('a', 'a.timer', undefined, 'somebody else')],
        previouslyApplied: none,
        paused: none,
      }),
    ).toThrow(/name clash: a\.timer/);
  });

  it('ignores foreign artifacts that sched does not want', () => {
    const jobs = computeJobPlans({
      desired: [],
      installed: [installed('x', 'x.timer', undefined, 'foreign')],
      previouslyApplied: none,
      paused: none,
    });
    expect(jobs).toEqual([]);
  });

  it('keeps the same id on two backends apart', () => {
    const onCron: FoundArtifact = { ...installed('a', 'a.timer', 'A', 'A'), target: 'crontab' };
    const jobs = computeJobPlans({
      desired: [desired('a', 'a.timer', 'A')],
      installed: [installed('a', 'a.timer', 'A', 'A'), onCron],
      previouslyApplied: none,
      paused: none,
    });
    expect(jobs[0]!.changes.map((c) => [c.target, c.action])).toEqual([['crontab', 'delete']]);
  });

  it('limits the plan to --target jobs', () => {
    const jobs = computeJobPlans({
      desired: [desired('a', 'a.timer', 'A'), desired('b', 'b.timer', 'B')],
      installed: [],
      previouslyApplied: none,
      paused: none,
      targets: new Set(['b']),
    });
    expect(jobs.map((j) => j.job)).toEqual(['b']);
  });

  it('fingerprints the host independently of listing order, and sees any change', () => {
    const a = installed('a', 'a.timer', 'A', 'A');
    const b = installed('b', 'b.timer', 'B', 'B');
    expect(hostFingerprint([a, b])).toBe(hostFingerprint([b, a]));
    expect(hostFingerprint([a, b])).not.toBe(hostFingerprint([a, { ...b, registered: false }]));
  });
});

describe('compareJobs', () => {
  it('orders valid job names as localeCompare does, the project-wide entry last (fast-check)', () => {
    const name = fc.stringMatching(JOB_NAME_PATTERN);
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(compareJobs(a, b))).toBe(Math.sign(a.localeCompare(b)));
        expect(compareJobs('', a)).toBe(1);
        expect(compareJobs(a, '')).toBe(-1);
      }),
      { numRuns: 5000 },
    );
    expect(['b-1', 'a', 'b0', 'b', 'a-b', 'ab', '', '9'].sort(compareJobs)).toEqual([
      '9',
      'a',
      'a-b',
      'ab',
      'b',
      'b-1',
      'b0',
      '',
    ]);
  });
});

describe('compareChanges', () => {
  it('orders the changes of a job as localeCompare did, for the targets and artifact ids sched writes (fast-check)', () => {
    const name = fc.stringMatching(JOB_NAME_PATTERN);
    const target = fc.constantFrom<ChangeTarget>('state', ...BACKENDS);
    // The shapes of the ids the backends render for a project and a job.
    const id = fc
      .tuple(name, name, fc.constantFrom('', '.service', '.timer', '.plist', '.yaml', '.json', '.env'))
      .chain(([project, job, ext]) =>
        fc.constantFrom(
          `${job}${ext}`,
          `sched-${project}-${job}${ext}`,
          `dev.sched.${project}.${job}${ext}`,
          `cronjob/${project}/${job}`,
          `projects/${project}/jobs/${job}/spec.json`,
        ),
      );
    const change = fc.record({ target, id });
    fc.assert(
      fc.property(change, change, (a, b) => {
        const locale = `${a.target}\0${a.id}`.localeCompare(`${b.target}\0${b.id}`);
        expect(Math.sign(compareChanges(a, b))).toBe(Math.sign(locale));
      }),
      { numRuns: 3000 },
    );
  });
});
