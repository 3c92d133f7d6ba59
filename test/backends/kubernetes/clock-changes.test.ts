/**
 * Where the cluster (robfig/cron v3.0.1 Next) and Debian cron (sched's engine) disagree at clock
 * changes: America/New_York and Europe/Berlin (whole-hour changes: skipped and doubled fixed
 * times) and Australia/Lord_Howe (30-minute changes: whole runs lost).
 */
import { describe, expect, it } from 'vitest';
import {
  CLOCK_CHANGE_YEARS,
  clockChangeDeviations,
  describeDeviation,
  summarizeDeviations,
  robfigSpec,
} from '../../../src/backends/kubernetes/clock-changes.js';
import { kubernetesScheduleProblem } from '../../../src/backends/kubernetes/cron.js';
import { robfigNext, ZoneTable } from '../../../src/backends/kubernetes/robfig-next.js';
import { fireTimesBetween } from '../../../src/schedule/occurrences.js';
import { TRICKY } from '../../oracle/corpus.js';

const FROM = new Date('2025-01-01T00:00:00Z');

function kinds(expr: string, zone: string, years = 1): string[] {
  return clockChangeDeviations(expr, zone, FROM, years).map(
    (d) => `${d.kind} ${d.runs.map((r) => r.toISOString()).join(' ')}`,
  );
}

describe('clockChangeDeviations', () => {
  it('America/New_York: a fixed time in the gap is skipped, one in the repeated hour doubled', () => {
    // Debian runs 02:30 at 03:00 EDT (07:00Z) right after the jump; the cluster skips the day.
    expect(kinds('30 2 * * *', 'America/New_York')).toEqual(['skipped 2025-03-09T07:00:00.000Z']);
    // 01:30 EDT (05:30Z) runs in both engines; the cluster runs 01:30 EST (06:30Z) too.
    expect(kinds('30 1 * * *', 'America/New_York')).toEqual(['doubled 2025-11-02T06:30:00.000Z']);
  });

  it('America/New_York: wildcard and unaffected fixed-time jobs agree', () => {
    for (const expr of [
      '0 * * * *',
      '*/15 * * * *',
      '@hourly',
      '0 9 * * *',
      '@daily',
      '@weekly',
      '* * * * *',
    ])
      expect(kinds(expr, 'America/New_York'), expr).toEqual([]);
  });

  it('Europe/Berlin: the same two kinds, at 02:00-03:00', () => {
    expect(kinds('30 2 * * *', 'Europe/Berlin')).toEqual([
      'skipped 2025-03-30T01:00:00.000Z',
      'doubled 2025-10-26T01:30:00.000Z',
    ]);
    expect(kinds('0 2,3 * * *', 'Europe/Berlin')).toEqual(['doubled 2025-10-26T01:00:00.000Z']);
    for (const expr of ['0 * * * *', '*/15 * * * *', '30 1 * * *', '0 9 * * *', '@daily'])
      expect(kinds(expr, 'Europe/Berlin'), expr).toEqual([]);
  });

  it('Australia/Lord_Howe: whole runs are lost at 30-minute changes', () => {
    // 09:00 on both change days: 2025-04-06 09:00 +10:30 (22:30Z) and 2025-10-05 09:00 +11 (22:00Z).
    expect(kinds('0 9 * * *', 'Australia/Lord_Howe')).toEqual([
      'lost 2025-04-05T22:30:00.000Z',
      'lost 2025-10-04T22:00:00.000Z',
    ]);
    // @daily loses the midnight after each change day; @weekly the Sunday a week after.
    expect(kinds('@daily', 'Australia/Lord_Howe')).toEqual([
      'lost 2025-04-06T13:30:00.000Z',
      'lost 2025-10-05T13:00:00.000Z',
    ]);
    expect(kinds('@weekly', 'Australia/Lord_Howe')).toEqual([
      'lost 2025-04-12T13:30:00.000Z',
      'lost 2025-10-11T13:00:00.000Z',
    ]);
    // 01:30 runs twice in April, and the cluster runs at 02:30 on the October change day.
    expect(kinds('30 1 * * *', 'Australia/Lord_Howe')).toEqual([
      'doubled 2025-04-05T15:00:00.000Z',
      'extra 2025-10-04T15:30:00.000Z',
    ]);
    for (const expr of ['0 * * * *', '*/15 * * * *', '* * * * *'])
      expect(kinds(expr, 'Australia/Lord_Howe'), expr).toEqual([]);
  });

  it('looks CLOCK_CHANGE_YEARS ahead: one deviation per change', () => {
    const all = clockChangeDeviations('0 9 * * *', 'Australia/Lord_Howe', FROM);
    expect(CLOCK_CHANGE_YEARS).toBe(5);
    expect(all).toHaveLength(10);
    expect(all.every((d) => d.kind === 'lost' && d.runs.length === 1)).toBe(true);
    expect(clockChangeDeviations('0 9 * * *', 'UTC', FROM)).toEqual([]);
  });

  it('names the job-visible facts: date, local time, what happens', () => {
    const [d] = clockChangeDeviations('0 9 * * *', 'Australia/Lord_Howe', FROM, 1);
    expect(describeDeviation(d!, 'Australia/Lord_Howe')).toBe(
      "clocks go back from 02:00 to 01:30 on 2025-04-06 (Australia/Lord_Howe): the CronJob loses the run of 2025-04-06 09:00 outright (robfig/cron, Kubernetes' cron library, assumes whole-hour clock changes)",
    );
    const [s] = clockChangeDeviations('30 2 * * *', 'America/New_York', FROM, 1);
    expect(describeDeviation(s!, 'America/New_York')).toMatch(
      /^clocks go forward from 02:00 to 03:00 on 2025-03-09 \(America\/New_York\)/,
    );
    expect(describeDeviation(s!, 'America/New_York')).toContain(
      'skips the run Debian cron makes right after the jump (2025-03-09 03:00)',
    );
    expect(
      summarizeDeviations(clockChangeDeviations('30 2 * * *', 'Europe/Berlin', FROM, 1), 'Europe/Berlin'),
    ).toBe(
      'at clock changes in Europe/Berlin within 5 years the CronJob skips the run Debian cron makes right after a spring-forward jump: 2025-03-30 03:00; runs twice in the repeated autumn hour: 2025-10-26 02:30',
    );
  });
});

describe('clockChangeDeviations over the tricky-expression corpus', () => {
  const corpus = TRICKY.filter((e) => kubernetesScheduleProblem(e) === undefined);

  it('in a zone without clock changes the robfig chain equals Debian cron (30 days, every expression)', () => {
    const start = Date.parse('2025-02-20T00:00:00Z') / 1000;
    const end = start + 30 * 86_400;
    const table = new ZoneTable('Asia/Tokyo', start - 86_400, end + 6 * 366 * 86_400);
    for (const expr of corpus) {
      const debian = fireTimesBetween(
        { kind: 'cron', expr, source: expr },
        'Asia/Tokyo',
        new Date(start * 1000),
        new Date(end * 1000),
      ).map((d) => d.getTime() / 1000);
      const cluster: number[] = [];
      for (
        let t = robfigNext(robfigSpec(expr), table, start);
        t !== undefined && t <= end;
        t = robfigNext(robfigSpec(expr), table, t)
      )
        cluster.push(t);
      expect(cluster, expr).toEqual(debian);
    }
  });

  it('whole-hour zones never lose runs outright; Lord Howe does', () => {
    expect(corpus.length).toBeGreaterThan(100);
    const lostIn = (zone: string): string[] =>
      corpus.filter((e) =>
        clockChangeDeviations(e, zone, FROM, 1).some((d) => d.kind === 'lost' || d.kind === 'extra'),
      );
    expect(lostIn('America/New_York')).toEqual([]);
    expect(lostIn('Europe/Berlin')).toEqual([]);
    expect(lostIn('Australia/Lord_Howe').length).toBeGreaterThan(20);
  });
});
