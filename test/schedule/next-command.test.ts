/**
 * `sched next` through oclif (the command class run with the project's config), stdout/stderr
 * captured. Expected instants are derived by hand from Debian's rules, not from sched's output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test, vi } from 'vitest';
import Next from '../../src/commands/next.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    err += String(c);
    return true;
  });
  let code = 0;
  try {
    await Next.run(argv, ROOT);
  } catch (x) {
    const ex = x as { oclif?: { exit?: number }; message?: string };
    if (typeof ex.oclif?.exit === 'number') code = ex.oclif.exit;
    else {
      code = -1;
      err += `THROWN: ${ex.message}`;
    }
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('sched next', () => {
  test('--json: instants with their offset, in the zone, strictly after --from', async () => {
    const r = await run([
      '30 2 * * *',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2025-03-29T00:00:00Z',
      '--count',
      '3',
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).next_runs).toEqual([
      '2025-03-29T02:30:00+01:00',
      '2025-03-30T03:00:00+02:00',
      '2025-03-31T02:30:00+02:00',
    ]);
  });

  test('presets and macros; default count is 5', async () => {
    const r = await run(['weekday', '--tz', 'America/New_York', '--from', '2025-03-07T00:00:00Z', '--json']);
    expect(JSON.parse(r.out).next_runs).toEqual([
      '2025-03-07T09:00:00-05:00',
      '2025-03-10T09:00:00-04:00',
      '2025-03-11T09:00:00-04:00',
      '2025-03-12T09:00:00-04:00',
      '2025-03-13T09:00:00-04:00',
    ]);
    const m = await run([
      '@weekly',
      '--tz',
      'UTC',
      '--from',
      '2025-03-01T00:00:00Z',
      '--count',
      '1',
      '--json',
    ]);
    expect(JSON.parse(m.out).next_runs).toEqual(['2025-03-02T00:00:00+00:00']);
  });

  test('text output: the schedule in words and one instant per line with the zone', async () => {
    const r = await run(['0 2 * * *', '--tz', 'UTC', '--from', '2025-01-01T00:00:00Z', '--count', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      '0 2 * * *: At 02:00 (UTC)\n  2025-01-01T02:00:00+00:00 UTC\n  2025-01-02T02:00:00+00:00 UTC\n',
    );
  });

  test('a local --from is read in --tz', async () => {
    const r = await run([
      '0 9 * * *',
      '--tz',
      'Europe/Berlin',
      '--from',
      '2025-03-03T09:00',
      '--count',
      '1',
      '--json',
    ]);
    expect(JSON.parse(r.out).next_runs).toEqual(['2025-03-04T09:00:00+01:00']);
  });

  test.each([
    ['0 0 * * 1#2', /nth weekday[\s\S]*\^/],
    ['5/15 * * * *', /step needs a range/],
    ['* * * * * *', /6 fields would mean seconds/],
    ['0 0 L * *', /Quartz/],
  ])('bad expression %s: exit 1, a clear message, no stack', async (expr, message) => {
    const r = await run([expr, '--json']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test('bad zone and bad --from', async () => {
    const z = await run(['0 0 * * *', '--tz', 'Mars/Olympus']);
    expect(z.code).toBe(1);
    expect(z.err).toMatch(/unknown time zone 'Mars\/Olympus'/);
    const f = await run(['0 0 * * *', '--from', 'yesterday']);
    expect(f.code).toBe(1);
    expect(f.err).toMatch(/not an ISO-8601 instant/);
  });

  test('events print no instants', async () => {
    const r = await run(['boot', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).next_runs).toEqual([]);
  });

  test('a job of a file: its schedule and its zone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sched-next-'));
    const file = join(dir, 'schedules.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'project: demo',
        'defaults:',
        '  timezone: America/New_York',
        'jobs:',
        '  nightly:',
        '    schedule: "30 2 * * *"',
        '    command: ["true"]',
        '',
      ].join('\n'),
    );
    const r = await run(['nightly', '-f', file, '--from', '2025-03-08T12:00:00Z', '--count', '2', '--json']);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).next_runs).toEqual(['2025-03-09T03:00:00-04:00', '2025-03-10T02:30:00-04:00']);
    const missing = await run(['nope', '-f', file]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no job 'nope'/);
    const nofile = await run(['nightly', '-f', join(dir, 'absent.yaml')]);
    expect(nofile.code).toBe(1);
    expect(nofile.err).toMatch(
      /unknown schedule 'nightly'[\s\S]*no .*absent.yaml to look 'nightly' up as a job/,
    );
  });
});

test('text output notes a DST change that moves a run', async () => {
  const r = await run([
    '30 2 * * *',
    '--tz',
    'Europe/Berlin',
    '--from',
    '2025-03-29T00:00:00Z',
    '--count',
    '2',
  ]);
  expect(r.out).toMatch(
    /2025-03-30T03:00:00\+02:00 Europe\/Berlin\n {2}note: the 2025-03-30 02:30 run falls in the DST gap/,
  );
});
