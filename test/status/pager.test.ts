/**
 * The pager of long plans and logs (issue 17 item 9): only on a terminal, only when the text is
 * longer than the screen, PAGER/SCHED_PAGER respected, `less` with LESS=FRX by default, never
 * with --no-pager, never when piped, and a pager that cannot start loses no text.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pagerCommand, writePaged } from '../../src/cli/pager.js';
import { cliSkipReason, localExec, SCHED_BIN, sched } from '../e2e/helpers/cli.js';

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

const skip = cliSkipReason();
describe.skipIf(skip)('sched plan and logs through a pipe', { timeout: 120_000 }, () => {
  it('never start the pager', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sched-pager-'));
    const marker = path.join(dir, 'pager-ran');
    const file = path.join(dir, 'schedules.yaml');
    const jobs = Array.from(
      { length: 30 },
      (_, i) => `  job-${i}:\n    schedule: "${i} 3 * * *"\n    command: ["true"]\n`,
    ).join('');
    writeFileSync(file, `version: 1\nproject: pager-test\nbackend: embedded\njobs:\n${jobs}`);
    const env = { PAGER: `touch '${marker}'; cat`, SCHED_HOME: path.join(dir, 'state'), HOME: dir };
    const r = await sched(localExec(dir), ['plan', '-f', file], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ job-29');
    expect(existsSync(marker)).toBe(false);
  });
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // `script` runs sched on a pseudo-terminal, as a person at a terminal would.
  const noScript = spawnSync('sh', ['-c', 'command -v script']).status !== 0;
  it.skipIf(noScript)('start it on a terminal, and not with --no-pager', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sched-pager-'));
    const paged = path.join(dir, 'paged');
    const file = path.join(dir, 'schedules.yaml');
    const jobs = Array.from(
      { length: 30 },
      (_, i) => `  job-${i}:\n    schedule: "${i} 3 * * *"\n    command: ["true"]\n`,
    ).join('');
    writeFileSync(file, `version: 1\nproject: pager-test\nbackend: embedded\njobs:\n${jobs}`);
    const env = { PAGER: `cat > '${paged}'`, SCHED_HOME: path.join(dir, 'state'), HOME: dir };
    const onTerminal = (args: string) =>
      localExec(dir)(
        'script',
        ['-qec', `'${process.execPath}' '${SCHED_BIN}' plan -f '${file}' ${args}`, '/dev/null'],
        env,
      );
    const r = await onTerminal('');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(paged, 'utf8')).toContain('+ job-29');
    rmSync(paged);
    const direct = await onTerminal('--no-pager');
    expect(direct.exitCode, direct.stderr).toBe(0);
    expect(direct.stdout).toContain('+ job-29');
    expect(existsSync(paged)).toBe(false);
  });
});
