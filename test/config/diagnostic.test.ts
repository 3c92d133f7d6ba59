import { describe, expect, it } from 'vitest';
import {
  formatGithub,
  formatJson,
  formatText,
  sortDiagnostics,
  type Diagnostic,
} from '../../src/config/diagnostic.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { editDistance, suggest } from '../../src/config/suggest.js';

const d = (line: number, col: number, extra: Partial<Diagnostic> = {}): Diagnostic => ({
  file: 'schedules.yaml',
  line,
  col,
  severity: 'error',
  code: 'x',
  message: `m${line}:${col}`,
  ...extra,
});

describe('diagnostic formatters', () => {
  it('sorts by file, line, column, errors first', () => {
    const list = [d(3, 1), d(1, 5), d(1, 2, { severity: 'warning' }), d(1, 2), d(2, 9, { file: 'a.yaml' })];
    expect(sortDiagnostics(list).map((x) => `${x.file}:${x.line}:${x.col}:${x.severity}`)).toEqual([
      'a.yaml:2:9:error',
      'schedules.yaml:1:2:error',
      'schedules.yaml:1:2:warning',
      'schedules.yaml:1:5:error',
      'schedules.yaml:3:1:error',
    ]);
  });

  it('prints compiler style with the source line, a caret under the column and the hint', () => {
    const src = 'version: 1\njobs:\n  a:\n    overlap: skp\n';
    const out = formatText(
      [d(4, 14, { message: 'bad overlap', code: 'bad-value', hint: "did you mean 'skip'?" })],
      {
        'schedules.yaml': src,
      },
    );
    expect(out).toBe(
      [
        'schedules.yaml:4:14: error: bad overlap [bad-value]',
        '   4 |     overlap: skp',
        '     |              ^',
        "     = hint: did you mean 'skip'?",
        '1 error, 0 warnings',
        '',
      ].join('\n'),
    );
    // The caret is under the 14th character.
    const lines = out.split('\n');
    expect(lines[2]!.indexOf('^') - lines[1]!.indexOf('|')).toBe(
      lines[1]!.indexOf('s', 10) - lines[1]!.indexOf('|'),
    );
  });

  it('keeps tabs in the caret line so the caret lines up', () => {
    const out = formatText([d(1, 3)], { 'schedules.yaml': '\t\tx: 1\n' });
    expect(out.split('\n')[2]).toBe('     | \t\t^');
  });

  it('prints nothing for no diagnostics', () => {
    expect(formatText([])).toBe('');
    expect(formatJson([])).toBe('[]\n');
    expect(formatGithub([])).toBe('');
  });

  it('JSON: a stable array with fixed keys', () => {
    const parsed = JSON.parse(formatJson([d(2, 1, { hint: 'h' }), d(1, 1)])) as Record<string, unknown>[];
    expect(parsed.map((o) => Object.keys(o))).toEqual([
      ['file', 'line', 'col', 'severity', 'code', 'message'],
      ['file', 'line', 'col', 'severity', 'code', 'message', 'hint'],
    ]);
  });

  it('GitHub annotations escape %, newlines, and : , in properties', () => {
    const out = formatGithub([
      d(4, 7, { file: 'dir,x/a:b.yaml', message: '100% bad\nreally', code: 'c', hint: 'fix it' }),
      d(5, 1, { severity: 'warning', message: 'w' }),
    ]);
    expect(out).toBe(
      '::error file=dir%2Cx/a%3Ab.yaml,line=4,col=7,title=sched c::100%25 bad%0Areally%0Afix it\n' +
        '::warning file=schedules.yaml,line=5,col=1,title=sched x::w\n',
    );
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['2d', 172800],
    ['1d2h3m4s', 93784],
    ['0s', 0],
  ])('%s = %i s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
    expect(parseDuration(formatDuration(seconds))).toBe(seconds);
  });
  it.each(['', '5', '5 m', '1m1h', 'm', '1.5h', '-1s', '1h 30m', '99999999999999999999d'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('suggestions', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('scheduel', 'schedule')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('suggests close keys only', () => {
    const keys = ['schedule', 'command', 'working_dir', 'timeout', 'timezone'];
    expect(suggest('scheduel', keys)).toBe('schedule');
    expect(suggest('workingDir', keys)).toBe('working_dir');
    expect(suggest('timout', keys)).toBe('timeout');
    expect(suggest('banana', keys)).toBeUndefined();
  });
});
