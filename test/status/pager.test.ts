/**
 * The pager of long plans and logs (issue 17 item 9): only on a terminal, only when the text is
 * longer than the screen, PAGER/SCHED_PAGER respected, `less` with LESS=FRX by default, never
 * with --no-pager, and a pager that cannot start loses no text. The compiled CLI on a pipe and
 * on a pseudo-terminal: pager-cli.slow.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pagerCommand, writePaged } from '../../src/cli/pager.js';

const LONG = Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('');

function terminal(rows = 24) {
  let written = '';
  return {
    isTTY: true,
    rows,
    write(text: string) {
      written += text;
      return true;
    },
    get written() {
      return written;
    },
  };
}

describe('pagerCommand', () => {
  it('pages long text on a terminal with PAGER, SCHED_PAGER first, less by default', () => {
    expect(pagerCommand(LONG, { env: {}, out: terminal() })).toBe('less');
    expect(pagerCommand(LONG, { env: { PAGER: 'more' }, out: terminal() })).toBe('more');
    expect(pagerCommand(LONG, { env: { PAGER: 'more', SCHED_PAGER: 'most' }, out: terminal() })).toBe('most');
  });

  it('does not page when piped, disabled, short, or PAGER is empty or cat', () => {
    expect(pagerCommand(LONG, { env: {}, out: { ...terminal(), isTTY: false } })).toBeUndefined();
    expect(pagerCommand(LONG, { env: {}, out: terminal(), disabled: true })).toBeUndefined();
    expect(pagerCommand('one\ntwo\n', { env: {}, out: terminal() })).toBeUndefined();
    expect(pagerCommand(LONG, { env: { PAGER: '' }, out: terminal() })).toBeUndefined();
    expect(pagerCommand(LONG, { env: { PAGER: 'cat' }, out: terminal() })).toBeUndefined();
  });
});

describe('writePaged', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands the whole text to the pager, with LESS=FRX unless LESS is set', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sched-pager-'));
    const got = path.join(dir, 'got');
    const less = path.join(dir, 'less');
    const out = terminal();
    const pager = `printf %s "$LESS" > '${less}'; cat > '${got}'`;
    await writePaged(LONG, { env: { PATH: process.env.PATH, PAGER: pager }, out });
    expect(readFileSync(got, 'utf8')).toBe(LONG);
    expect(readFileSync(less, 'utf8')).toBe('FRX');
    expect(out.written).toBe('');
    await writePaged(LONG, { env: { PATH: process.env.PATH, PAGER: pager, LESS: 'R' }, out });
    expect(readFileSync(less, 'utf8')).toBe('R');
  });

  it('prints the text itself when the pager cannot start', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sched-pager-'));
    const out = terminal();
    await writePaged(LONG, { env: { PATH: process.env.PATH, PAGER: 'no-such-pager-here' }, out });
    expect(out.written).toBe(LONG);
  });
});
