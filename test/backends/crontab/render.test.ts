import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InexpressibleError } from '../../../src/errors.js';
import {
  CATCH_UP_ID,
  MAX_COMMAND_BYTES,
  checkJob,
  cronCommand,
  renderJob,
  renderProjectEntries,
} from '../../../src/backends/crontab/render.js';
import { MARKER_PATTERN } from '../../../src/backends/crontab/render.js';
import { ctx, job } from './fixtures.js';

/**
 * Independent oracle: the command-part translation of Debian cron 3.0pl1, ported line by line
 * from do_command.c (child_process): `\%` → `%`, `\\` → `\`, other `\x` kept, the first
 * unescaped `%` ends the command. Returns the command and whether a `%` cut it.
 */
function debianCronCommand(cmd: string): { command: string; cut: boolean } {
  const p: string[] = [];
  let escaped = false;
  for (const ch of cmd) {
    p.push(ch);
    if (escaped) {
      if (ch === '%' || ch === '\\') {
        p.pop();
        p[p.length - 1] = ch;
      }
      escaped = false;
      continue;
    }
    if (ch === '\\') {
      escaped = true;
      continue;
    }
    if (ch === '%') {
      p.pop();
      return { command: p.join(''), cut: true };
    }
  }
  return { command: p.join(''), cut: false };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'sched-crontab-render-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dumper = path.join(tmp, 'argv dump %$');
writeFileSync(dumper, '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done\n');
chmodSync(dumper, 0o755);

const tricky = fc.constantFrom(
  '%',
  '\\',
  "'",
  '"',
  '$',
  '`',
  ' ',
  '\t',
  '*',
  '~',
  '=',
  '#',
  ';',
  '&',
  '|',
  '(',
  '\r',
  'é',
  '😀',
  '\\%',
  '%%',
  '$(id)',
  '-',
);
const word = fc
  .string({
    unit: fc.oneof(tricky, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
    maxLength: 12,
  })
  .filter((s) => !/[\n\0]/.test(s));

describe('cronCommand (quoting + cron escaping)', () => {
  it('gives back the exact argv after cron (do_command.c) and sh have read it', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), (args) => {
        const line = cronCommand([dumper, ...args]);
        const { command, cut } = debianCronCommand(line);
        expect(cut).toBe(false);
        const out = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
        const got = out === '' ? [] : out.slice(0, -1).split('\0');
        expect(got).toEqual(args);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves no unescaped % in the line', () => {
    expect(cronCommand(['a%b', '\\%'])).toBe("'a\\%b' '\\\\\\%'");
  });
});

describe('checkJob', () => {
  it('accepts a cron job in the host zone, and zone aliases of it', () => {
    expect(checkJob(job('a'), ctx)).toEqual([]);
    expect(checkJob(job('a', { timezone: 'Etc/UTC' }), { ...ctx, hostTimezone: 'UTC' })).toEqual([]);
  });

  it('refuses another zone, with a hint naming the host zone and systemd', () => {
    const [p, ...rest] = checkJob(job('a', { timezone: 'America/New_York' }), ctx);
    expect(rest).toEqual([]);
    expect(p).toMatch(/America\/New_York/);
    expect(p).toMatch(/CRON_TZ/);
    expect(p).toMatch(/Europe\/Istanbul/);
    expect(p).toMatch(/systemd/);
  });

  it('refuses one-shots and wake, accepts boot', () => {
    expect(
      checkJob(job('a', { schedule: { kind: 'at', local: '2026-12-31 09:00', source: '' } }), ctx)[0],
    ).toMatch(/one-shot/);
    expect(
      checkJob(job('a', { schedule: { kind: 'event', event: 'wake', source: 'wake' } }), ctx)[0],
    ).toMatch(/wake/);
    expect(checkJob(job('a', { schedule: { kind: 'event', event: 'boot', source: 'boot' } }), ctx)).toEqual(
      [],
    );
  });

  it('refuses macros cron does not know and malformed expressions', () => {
    expect(checkJob(job('a', { schedule: { kind: 'cron', expr: '@Daily', source: '' } }), ctx)).toHaveLength(
      1,
    );
    expect(checkJob(job('a', { schedule: { kind: 'cron', expr: '0 2 * *', source: '' } }), ctx)).toHaveLength(
      1,
    );
    expect(
      checkJob(job('a', { schedule: { kind: 'cron', expr: '0 2 * * * rm', source: '' } }), ctx),
    ).toHaveLength(1);
    expect(checkJob(job('a', { schedule: { kind: 'cron', expr: '@midnight', source: '' } }), ctx)).toEqual(
      [],
    );
    expect(
      checkJob(
        job('a', { schedule: { kind: 'cron', expr: '*/15 9-17 * jan-mar MON-FRI', source: '' } }),
        ctx,
      ),
    ).toEqual([]);
  });

  it('refuses paths with newlines and commands cron would truncate', () => {
    expect(checkJob(job('a'), { ...ctx, schedBin: '/opt/a\nb' })[0]).toMatch(/newline/);
    const base = cronCommand([
      '/usr/bin/node',
      '',
      'run',
      '--project',
      'billing',
      '--trigger',
      'crontab',
      'a',
    ]).length;
    const fits = { ...ctx, schedBin: '/' + 'x'.repeat(MAX_COMMAND_BYTES - base + 1) };
    expect(checkJob(job('a'), fits)).toEqual([]);
    expect(checkJob(job('a'), { ...fits, schedBin: fits.schedBin + 'x' })[0]).toMatch(/bytes/);
  });

  it('has nothing to say about disabled jobs, which render nothing', () => {
    const off = job('a', { enabled: false, timezone: 'Asia/Tokyo' });
    expect(checkJob(off, ctx)).toEqual([]);
    expect(renderJob(off, ctx)).toEqual([]);
  });
});

describe('renderJob', () => {
  it('writes header, description and the sched run line, hashing the body', () => {
    const [a, ...rest] = renderJob(job('nightly', { description: 'Mail the\nreport' }), ctx);
    expect(rest).toEqual([]);
    const lines = a!.content.split('\n');
    expect(lines).toEqual([
      `# sched-managed project=billing job=nightly hash=${a!.hash}`,
      '# Mail the report',
      '0 2 * * * /usr/bin/node /opt/sched/bin/run.js run --project billing --trigger crontab nightly',
      '',
    ]);
    const body = lines.slice(1).join('\n');
    expect(a!.hash).toBe('sha256:' + createHash('sha256').update(body).digest('hex').slice(0, 16));
    expect(a).toMatchObject({ id: 'crontab:nightly', job: 'nightly', kind: 'crontab entry' });
  });

  it('writes boot jobs as @reboot', () => {
    const [a] = renderJob(job('up', { schedule: { kind: 'event', event: 'boot', source: 'boot' } }), ctx);
    expect(a!.content.split('\n')[1]).toMatch(/^@reboot \/usr\/bin\/node /);
  });

  it('never lets a description look like a marker or a header', () => {
    for (const d of [
      'END sched billing',
      'BEGIN sched other',
      'sched-managed project=x job=y hash=sha256:0000000000000000',
    ]) {
      const [a] = renderJob(job('a', { description: d }), ctx);
      const line = a!.content.split('\n')[1]!;
      expect(MARKER_PATTERN.test(line)).toBe(false);
      expect(line).toBe(`# description: ${d}`);
    }
  });

  it('throws InexpressibleError naming the job when check fails', () => {
    expect(() => renderJob(job('a', { timezone: 'UTC' }), ctx)).toThrow(InexpressibleError);
    expect(() => renderJob(job('a', { timezone: 'UTC' }), ctx)).toThrow(/job 'a'/);
  });
});

describe('renderProjectEntries', () => {
  it('adds the @reboot catch-up entry only when some enabled job is a cron job', () => {
    const boot = job('up', { schedule: { kind: 'event', event: 'boot', source: 'boot' } });
    expect(renderProjectEntries('billing', [boot], ctx)).toEqual([]);
    expect(renderProjectEntries('billing', [job('a', { enabled: false }), boot], ctx)).toEqual([]);
    const [c, ...rest] = renderProjectEntries('billing', [boot, job('a')], ctx);
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ id: CATCH_UP_ID, job: '' });
    expect(c!.content.split('\n')[1]).toBe(
      '@reboot /usr/bin/node /opt/sched/bin/run.js run --project billing --trigger crontab --catch-up',
    );
  });
});
