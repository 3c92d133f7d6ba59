/**
 * The Kubernetes backend never stays silent about clock changes: runs lost outright (Lord Howe)
 * are refused by default, other differences are warnings (validate, render) and notes (plan);
 * `kubernetes.strict_clock_changes` refuses any difference (true) or none (false).
 */
import { describe, expect, it } from 'vitest';
import { KubernetesBackend } from '../../../src/backends/kubernetes/index.js';
import type { Runner } from '../../../src/platform/ports.js';
import { cron, ctx, job } from './jobs.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const runner: Runner = {
  run: () => Promise.reject(new Error('no kubectl call expected')),
};
const backend = new KubernetesBackend({ runner, clock: { now: () => NOW } });

function k8sJob(expr: string, timezone: string, strict?: boolean) {
  const kubernetes = {
    namespace: 'billing',
    image: 'ghcr.io/acme/billing:1.4.2',
    ...(strict === undefined ? {} : { strictClockChanges: strict }),
  };
  return job('nightly', { schedule: cron(expr), timezone, kubernetes });
}

describe('kubernetes clock-change verdicts', () => {
  it('Australia/Lord_Howe: lost runs are refused by default, with the dates and a way out', () => {
    const j = k8sJob('0 9 * * *', 'Australia/Lord_Howe');
    const [problem, ...more] = backend.check(j, ctx);
    expect(more).toEqual([]);
    expect(problem).toMatch(
      /^at clock changes in Australia\/Lord_Howe within 5 years the CronJob loses runs outright/,
    );
    expect(problem).toContain('2025-04-06 09:00, 2025-10-05 09:00');
    expect(problem).toContain('Hint: ');
    expect(problem).toContain('strict_clock_changes: false');
    expect(backend.advisories(j, ctx)).toEqual([]);
  });

  it('Australia/Lord_Howe with strict_clock_changes: false: accepted, but warned and noted', () => {
    const j = k8sJob('0 9 * * *', 'Australia/Lord_Howe', false);
    expect(backend.check(j, ctx)).toEqual([]);
    expect(backend.advisories(j, ctx)[0]).toMatch(/loses runs outright .*: 2025-04-06 09:00/);
    const notes = backend.notes(j, NOW);
    expect(notes[0]).toBe(
      "clocks go back from 02:00 to 01:30 on 2025-04-06 (Australia/Lord_Howe): the CronJob loses the run of 2025-04-06 09:00 outright (robfig/cron, Kubernetes' cron library, assumes whole-hour clock changes)",
    );
    expect(notes.at(-1)).toMatch(/^8 more clock changes in Australia\/Lord_Howe within 5 years/);
  });

  it('America/New_York: a skipped gap time is a warning; strict_clock_changes: true refuses it', () => {
    const j = k8sJob('30 2 * * *', 'America/New_York');
    expect(backend.check(j, ctx)).toEqual([]);
    expect(backend.advisories(j, ctx)[0]).toContain(
      'skips the run Debian cron makes right after a spring-forward jump: 2025-03-09 03:00',
    );
    expect(backend.notes(j, NOW)[0]).toMatch(/^clocks go forward from 02:00 to 03:00 on 2025-03-09/);
    const strict = backend.check(k8sJob('30 2 * * *', 'America/New_York', true), ctx);
    expect(strict[0]).toContain('refused: kubernetes.strict_clock_changes is true');
  });

  it('Europe/Berlin: a doubled run is a warning', () => {
    const j = k8sJob('30 2 * * *', 'Europe/Berlin');
    expect(backend.check(j, ctx)).toEqual([]);
    expect(backend.advisories(j, ctx)[0]).toContain(
      'runs twice in the repeated autumn hour: 2025-10-26 02:30',
    );
  });

  it('says nothing where the cluster agrees with Debian cron', () => {
    for (const [expr, zone] of [
      ['0 * * * *', 'Australia/Lord_Howe'],
      ['0 9 * * *', 'Europe/Berlin'],
      ['30 2 * * *', 'UTC'],
    ] as const) {
      const j = k8sJob(expr, zone, true);
      expect(backend.check(j, ctx), `${expr} ${zone}`).toEqual([]);
      expect(backend.advisories(j, ctx)).toEqual([]);
      expect(backend.notes(j, NOW)).toEqual([]);
    }
  });
});
