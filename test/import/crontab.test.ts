import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronEscape } from '../../src/backends/crontab/render.js';
import { UserError } from '../../src/errors.js';
import {
  commentOutLines,
  IMPORTED_PREFIX,
  parseEnvLine,
  scanCrontab,
  unescapeCronCommand,
} from '../../src/backends/crontab/import.js';

const opts = { homeDir: '/home/u', hostTimezone: 'Europe/Berlin' };

describe('unescapeCronCommand (Debian do_command.c)', () => {
  it('turns \\% into % and \\\\ into \\, keeps other escapes', () => {
    expect(unescapeCronCommand('date +\\%F')).toEqual({ command: 'date +%F' });
    expect(unescapeCronCommand('echo a\\\\b \\n')).toEqual({ command: 'echo a\\b \\n' });
  });
  it('reports the stdin part of an unescaped %', () => {
    expect(unescapeCronCommand('mail me%hello%world')).toEqual({ command: 'mail me', stdin: 'hello%world' });
  });
  it('undoes the crontab renderer’s escaping for any text (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\n')),
        (s) => {
          expect(unescapeCronCommand(cronEscape(s))).toEqual({ command: s });
        },
      ),
    );
  });
});

describe('parseEnvLine (Debian env.c)', () => {
  it('reads NAME=value with blanks and matching quotes', () => {
    expect(parseEnvLine('MAILTO=ops@example.com')).toEqual({ name: 'MAILTO', value: 'ops@example.com' });
    expect(parseEnvLine('  PATH = /usr/bin:/bin  ')).toEqual({ name: 'PATH', value: '/usr/bin:/bin' });
    expect(parseEnvLine('MAILTO=""')).toEqual({ name: 'MAILTO', value: '' });
    expect(parseEnvLine("GREETING='a b'")).toEqual({ name: 'GREETING', value: 'a b' });
  });
  it('does not take a job line with an assignment in its command for one', () => {
    expect(parseEnvLine('0 2 * * * FOO=bar /bin/x')).toBeUndefined();
    expect(parseEnvLine('*/5 * * * * a=b')).toBeUndefined();
    expect(parseEnvLine('@daily X=1 y')).toBeUndefined();
  });
});

describe('scanCrontab', () => {
  it('converts job lines with the env above them and the comment directly above as description', () => {
    const text = [
      'MAILTO=me@example.com',
      'PATH=/opt/bin:/usr/bin:/bin',
      '# Nightly backup',
      '0 2 * * * /usr/bin/backup --all',
      '',
      '# not a description (blank line after it)',
      '',
      '@weekly   /usr/bin/weekly.sh',
      'PATH=/other',
      '0 9 * * 1-5 echo hi',
    ].join('\n');
    const scan = scanCrontab(text, opts);
    expect(scan.refused).toEqual([]);
    expect(scan.proposals.map((p) => [p.schedule, p.command, p.description, p.env])).toEqual([
      ['0 2 * * *', '/usr/bin/backup --all', 'Nightly backup', { PATH: '/opt/bin:/usr/bin:/bin' }],
      ['@weekly', '/usr/bin/weekly.sh', undefined, { PATH: '/opt/bin:/usr/bin:/bin' }],
      ['weekday', 'echo hi', undefined, { PATH: '/other' }],
    ]);
    expect(scan.proposals.map((p) => p.source.line)).toEqual([3, 7, 9]);
    expect(scan.proposals[0]!.notes.join('\n')).toMatch(/mailed this job's output to me@example.com/);
    // cron runs jobs in $HOME; sched's default would be the folder of schedules.yaml.
    expect(scan.proposals.every((p) => p.working_dir === '/home/u')).toBe(true);
  });

  it('uses the crontab HOME as working dir, wraps the command in a non-sh SHELL, and pins the host zone when the file defaults to another', () => {
    const scan = scanCrontab('HOME=/srv\nSHELL=/bin/bash\n5 4 * * * [[ -d x ]] && echo y\n', {
      ...opts,
      defaultTimezone: 'UTC',
    });
    const [p] = scan.proposals;
    expect(p!.command).toEqual(['/bin/bash', '-c', '[[ -d x ]] && echo y']);
    expect(p!.working_dir).toBe('/srv');
    expect(p!.env).toEqual({ HOME: '/srv' });
    expect(p!.timezone).toBe('Europe/Berlin');
    expect(p!.notes.join('\n')).toMatch(/SHELL=\/bin\/bash/);
  });

  it('maps @reboot to boot and identical preset expressions to the preset; keeps other text as written', () => {
    const scan = scanCrontab(
      '@reboot /x\n0 *  * * * /y\n0 9 1 * * /z\n0 9 * * 1 /w\n0 9\t*\t*\t* /v\n',
      opts,
    );
    expect(scan.proposals.map((p) => p.schedule)).toEqual(['boot', 'hour', 'month', 'week', 'day']);
  });

  it('refuses what cannot be imported exactly, with the reason', () => {
    const text = [
      '0 22 * * * mail -s x me%body%',
      '@Daily /x',
      '61 * * * * /x',
      '0 0 30 2 * /never',
      '1 2 3 /short',
      '5/15 * * * * /step-on-number',
    ].join('\n');
    const scan = scanCrontab(text, opts);
    expect(scan.proposals).toEqual([]);
    const reasons = scan.refused.map((r) => r.reason);
    expect(reasons[0]).toMatch(/unescaped '%'.*standard input/);
    expect(reasons[1]).toMatch(/not a macro Debian's cron knows/);
    expect(reasons[2]).toMatch(/cannot be imported exactly/);
    expect(reasons[3]).toMatch(/never fires/);
    expect(reasons[4]).toMatch(/not a cron line/);
    expect(reasons[5]).toMatch(/cannot be imported exactly/);
  });

  it('skips every sched block and lines already imported', () => {
    const text = [
      '# BEGIN sched other',
      '# sched-managed project=other job=x hash=sha256:0123456789abcdef',
      '0 1 * * * /usr/bin/node /sched/bin/run.js run --project other x',
      '# END sched other',
      `${IMPORTED_PREFIX}0 3 * * * /usr/bin/old`,
      '0 4 * * * /usr/bin/new',
    ].join('\n');
    const scan = scanCrontab(text, opts);
    expect(scan.proposals.map((p) => p.command)).toEqual(['/usr/bin/new']);
    expect(scan.proposals[0]!.description).toBeUndefined();
  });

  it('refuses to guess with unbalanced markers', () => {
    expect(() => scanCrontab('# BEGIN sched a\n0 1 * * * /x\n', opts)).toThrow(UserError);
    expect(() => scanCrontab('0 1 * * * /x\n# END sched a\n', opts)).toThrow(/without its BEGIN/);
  });
});

describe('commentOutLines', () => {
  const text = 'A=1\n0 1 * * * /x\n0 2 * * * /y';
  const src = (line: number, original: string) => ({
    scheduler: 'crontab' as const,
    where: '',
    original,
    line,
  });
  it('comments exactly the given lines, keeping every other byte', () => {
    expect(commentOutLines(text, [src(1, '0 1 * * * /x'), src(2, '0 2 * * * /y')])).toBe(
      `A=1\n${IMPORTED_PREFIX}0 1 * * * /x\n${IMPORTED_PREFIX}0 2 * * * /y`,
    );
  });
  it('refuses a crontab whose lines end in a listed carriage return', () => {
    expect(() => commentOutLines('0 1 * * * /x\\r\n', [src(0, '0 1 * * * /x\\r')])).toThrow(
      /carriage return/,
    );
  });
  it('refuses when a line is not what was scanned', () => {
    expect(() => commentOutLines(text, [src(1, '0 9 * * * /x')])).toThrow(/changed since it was read/);
  });
});
