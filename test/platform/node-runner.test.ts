import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeRunner, tempFileStager } from '../../src/platform/node.js';

const runner = new NodeRunner();
const sh = (script: string, options?: Parameters<NodeRunner['run']>[2]) =>
  runner.run('/bin/sh', ['-c', script], options);

describe('NodeRunner (the real process runner behind every backend adapter)', () => {
  it('returns the exit code and both outputs as they are, trailing newlines included', async () => {
    const r = await sh('printf "out\\n"; printf "err\\n" >&2; exit 3');
    expect(r).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('feeds input on stdin, and gives end-of-file when there is none', async () => {
    expect((await sh('cat', { input: 'a %\nb\n' })).stdout).toBe('a %\nb\n');
    expect(await sh('cat; echo done')).toEqual({ exitCode: 0, stdout: 'done\n', stderr: '' });
  });

  it('passes any byte through input and output with the latin1 encoding', async () => {
    const bytes = Buffer.from([0x0d, 0x08, 0xe9, 0xff, 0x80, 0xc3, 0x0a]).toString('latin1');
    const r = await sh('cat', { input: bytes, encoding: 'latin1' });
    expect(Buffer.from(r.stdout, 'latin1').toString('hex')).toBe('0d08e9ff80c30a');
  });

  it('keeps argv elements intact (no shell in between)', async () => {
    const arg = `it's "quoted" $HOME %p \\ `;
    const r = await runner.run('/bin/sh', ['-c', 'printf %s "$1"', 'sh', arg]);
    expect(r.stdout).toBe(arg);
  });

  it('merges env over the current environment and honours cwd', async () => {
    const r = await sh('printf "%s|%s|%s" "$SCHED_T" "$(pwd)" "${PATH:+has-path}"', {
      env: { SCHED_T: 'x y' },
      cwd: '/',
    });
    expect(r.stdout).toBe('x y|/|has-path');
  });

  it('does not fail when the command ignores a large input', async () => {
    const r = await sh('exit 0', { input: 'x'.repeat(1 << 20) });
    expect(r.exitCode).toBe(0);
  });

  it('rejects when the command cannot be started, naming it and keeping the errno code', async () => {
    const err = await runner.run('sched-no-such-command', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/cannot run 'sched-no-such-command'.*ENOENT/);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('rejects a command that outlives its timeout, and does not wait for it', async () => {
    const t0 = Date.now();
    const err = await sh('sleep 5', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/did not finish within 200 ms/);
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});

describe('tempFileStager (a complete file instead of a stream a kill could cut)', () => {
  it('hands over a whole private file and removes its directory afterwards, also on failure', async () => {
    const content = Buffer.from([0x23, 0x0d, 0xff, 0x0a]);
    let seen = '';
    const result = await tempFileStager.stage('crontab', content, async (file) => {
      seen = file;
      expect(readFileSync(file).equals(content)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(statSync(path.dirname(file)).uid).toBe(process.getuid?.());
      return 'used';
    });
    expect(result).toBe('used');
    expect(existsSync(path.dirname(seen))).toBe(false);
    await expect(
      tempFileStager.stage('crontab', content, async (file) => {
        seen = file;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(existsSync(path.dirname(seen))).toBe(false);
    await expect(tempFileStager.stage('../x', content, async () => 1)).rejects.toThrow(/unsafe file name/);
  });

  it('removes what a killed process left staged, and nothing of a live one', async () => {
    const dead = spawnSync('true').pid!; // exited and reaped: its pid is gone
    const orphan = mkdtempSync(path.join(tmpdir(), `sched-stage-${dead}-`));
    writeFileSync(path.join(orphan, 'crontab'), 'x');
    const live = mkdtempSync(path.join(tmpdir(), `sched-stage-${process.ppid}-`));
    try {
      await tempFileStager.stage('crontab', Buffer.from('y'), async () => undefined);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      rmSync(orphan, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });
});
