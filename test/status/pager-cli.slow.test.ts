/**
 * `sched plan` through the compiled CLI (issue 17 item 9): never paged when piped; paged on a
 * terminal (a pseudo-terminal from `script`), and not with --no-pager.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, SCHED_BIN, sched } from '../e2e/helpers/cli.js';

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
