/**
 * The one colour decision (src/cli/color.ts), as a table: environment × terminal × --no-color.
 * The piped rows were checked against what oclif's help does with the same environment.
 */
import { describe, expect, it } from 'vitest';
import { colorEnabled, hasNoColorFlag, paint } from '../../src/cli/color.js';

type Row = [env: Record<string, string>, isTTY: boolean, noColorFlag: boolean, expected: boolean];

const table: Row[] = [
  // Nothing set: colour on a terminal only.
  [{}, true, false, true],
  [{}, false, false, false],
  // --no-color wins over everything, FORCE_COLOR included.
  [{}, true, true, false],
  [{ FORCE_COLOR: '1' }, true, true, false],
  [{ FORCE_COLOR: '3' }, false, true, false],
  // NO_COLOR: any non-empty value turns colour off; an empty one is ignored (no-color.org).
  [{ NO_COLOR: '1' }, true, false, false],
  [{ NO_COLOR: 'yes' }, true, false, false],
  [{ NO_COLOR: '0' }, true, false, false],
  [{ NO_COLOR: '' }, true, false, true],
  [{ NO_COLOR: '' }, false, false, false],
  // FORCE_COLOR 0/false: off even on a terminal.
  [{ FORCE_COLOR: '0' }, true, false, false],
  [{ FORCE_COLOR: 'false' }, true, false, false],
  [{ FORCE_COLOR: 'FALSE' }, true, false, false],
  // Any other FORCE_COLOR (1/2/3/true, empty, anything): on even when piped or TERM=dumb.
  [{ FORCE_COLOR: '1' }, false, false, true],
  [{ FORCE_COLOR: '2' }, false, false, true],
  [{ FORCE_COLOR: '3' }, false, false, true],
  [{ FORCE_COLOR: 'true' }, false, false, true],
  [{ FORCE_COLOR: '' }, false, false, true],
  [{ FORCE_COLOR: 'banana' }, false, false, true],
  [{ FORCE_COLOR: '1', TERM: 'dumb' }, false, false, true],
  [{ FORCE_COLOR: '1', NO_COLOR: '' }, false, false, true],
  [{ FORCE_COLOR: '0', NO_COLOR: '' }, true, false, false],
  // A non-empty NO_COLOR wins over FORCE_COLOR, as in oclif's help (ansis).
  [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, false, false],
  [{ FORCE_COLOR: '3', NO_COLOR: '0' }, true, false, false],
  // A dumb terminal gets no colour.
  [{ TERM: 'dumb' }, true, false, false],
  [{ TERM: 'xterm-256color' }, true, false, true],
];

describe('colorEnabled', () => {
  it.each(table)('env %j, tty %s, --no-color %s → %s', (env, isTTY, noColorFlag, expected) => {
    expect(colorEnabled({ env, isTTY, noColorFlag })).toBe(expected);
  });
});

describe('hasNoColorFlag', () => {
  it('finds --no-color among the flags', () => {
    expect(hasNoColorFlag(['plan', '--no-color'])).toBe(true);
    expect(hasNoColorFlag(['--no-color', '-f', 'x.yaml'])).toBe(true);
    expect(hasNoColorFlag(['plan', '--json'])).toBe(false);
  });
  it('ignores it after --, where the words are a job command', () => {
    expect(hasNoColorFlag(['x', '-s', 'day', '--', 'ls', '--no-color'])).toBe(false);
  });
});

describe('paint', () => {
  it('wraps in an SGR code only when colouring', () => {
    expect(paint(true, 31, 'Error:')).toBe('\u001b[31mError:\u001b[0m');
    expect(paint(false, 31, 'Error:')).toBe('Error:');
  });
});
