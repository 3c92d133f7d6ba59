import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { EnvFileError, parseEnvFile, readEnvFile } from '../../src/config/envfile.js';

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines with comments, export and quotes', () => {
    const text = [
      '# a comment',
      '',
      'A=1',
      'export B = two words  # trailing comment',
      "C='single $HOME # not a comment'",
      'D="line\\nnext \\"q\\" \\$X"',
      'E=',
      'F=a#b',
      'G="multi',
      'line"',
      'H=last',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual({
      A: '1',
      B: 'two words',
      C: 'single $HOME # not a comment',
      D: 'line\nnext "q" $X',
      E: '',
      F: 'a#b',
      G: 'multi\nline',
      H: 'last',
    });
  });

  it('accepts CRLF and a BOM', () => {
    expect(parseEnvFile('\uFEFFA=1\r\nB="x"\r\n')).toEqual({ A: '1', B: 'x' });
  });

  it('reports bad lines with their number', () => {
    expect(() => parseEnvFile('A=1\nnot a pair\n')).toThrow(EnvFileError);
    expect(() => parseEnvFile('A=1\nnot a pair\n')).toThrow(/line 2/);
    expect(() => parseEnvFile('1BAD=x')).toThrow(/invalid variable name/);
    expect(() => parseEnvFile("A='open")).toThrow(/unterminated single quote/);
    expect(() => parseEnvFile('A="open')).toThrow(/unterminated double quote/);
    expect(() => parseEnvFile('A="x" junk')).toThrow(/unexpected text/);
  });
});

describe('env_file errors never quote the content (issue 12.3)', () => {
  const MARKER = 'ghp_UNITLEAKMARKER42';
  it.each([`${MARKER}\n`, `A="x" ${MARKER}\n`, `${MARKER} B=1\n`, `A='${MARKER}\n`, `A="${MARKER}\n`])(
    '%j: line and problem only',
    (text) => {
      let message = '';
      try {
        parseEnvFile(text);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^line 1: /);
      expect(message).not.toContain(MARKER);
    },
  );

  it('readEnvFile names the file and refuses kernel files, pipes and files others can write', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-envfile-'));
    const bad = path.join(dir, 'bad.env');
    fs.writeFileSync(bad, `OK=1\n${MARKER}\n`, { mode: 0o600 });
    expect(() => readEnvFile(bad)).toThrow(`env_file ${bad}, line 2: expected KEY=VALUE`);
    expect(() => readEnvFile('/proc/self/environ')).toThrow(/it is a kernel file/);
    const fifo = path.join(dir, 'fifo.env');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => readEnvFile(fifo)).toThrow(/it is a named pipe/);
    expect(() => readEnvFile(dir)).toThrow(/it is a directory/);
    const open = path.join(dir, 'open.env');
    fs.writeFileSync(open, 'A=1\n');
    fs.chmodSync(open, 0o646);
    expect(() => readEnvFile(open)).toThrow(/others can write it \(mode 646\)/);
    fs.chmodSync(open, 0o644);
    expect(readEnvFile(open)).toEqual({
      env: { A: '1' },
      warning: expect.stringMatching(/readable by others/),
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('validate refuses env_file: /proc/self/environ', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-envfile-'));
    const file = path.join(dir, 'schedules.yaml');
    fs.writeFileSync(
      file,
      'version: 1\nproject: p\njobs:\n  j:\n    schedule: daily\n    command: ["true"]\n    env_file: /proc/self/environ\n',
    );
    const loaded = await loadProject(file, {});
    expect(loaded.diagnostics.map((d) => `${d.line}:${d.code}`)).toContain('7:env-file-unsafe');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
