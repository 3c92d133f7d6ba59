/**
 * Shell completion in the real shells: the script `sched completion SHELL` prints is loaded into
 * bash, zsh (through bashcompinit) and fish, and asked what it completes — commands, flags, and
 * job names of the schedules.yaml in reach (or of the file after -f).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSkipReason, SCHED_BIN } from '../e2e/helpers/cli.js';

const skip = cliSkipReason();
const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

describe.skipIf(skip)('sched completion', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-complete-'));
  const bin = path.join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  // `sched` on PATH, as after `npm install -g`.
  writeFileSync(path.join(bin, 'sched'), `#!/bin/sh\nexec ${process.execPath} ${SCHED_BIN} "$@"\n`);
  chmodSync(path.join(bin, 'sched'), 0o755);
  writeFileSync(
    path.join(dir, 'schedules.yaml'),
    'version: 1\njobs:\n  nightly-report:\n    schedule: day\n    command: x\n  backup:\n    schedule: day\n    command: x\n',
  );
  writeFileSync(
    path.join(dir, 'other.yaml'),
    'version: 1\njobs:\n  only-here:\n    schedule: day\n    command: x\n',
  );
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: dir, XDG_CONFIG_HOME: dir };
  const scripts = new Map<string, string>();
  const script = (shell: string) => {
    if (scripts.has(shell)) return scripts.get(shell)!;
    const r = spawnSync(path.join(bin, 'sched'), ['completion', shell], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const file = path.join(dir, `completion.${shell}`);
    writeFileSync(file, r.stdout);
    scripts.set(shell, file);
    return file;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function bash(words: string[]): string[] {
    const file = script('bash');
    const line = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _sched; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', line], { cwd: dir, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('bash: commands, flags, job names from ./schedules.yaml and from -f FILE', { timeout: 180_000 }, () => {
    expect(bash(['sched', 'ap'])).toEqual(['apply']);
    expect(bash(['sched', 'run'])).toEqual(['run', 'run-now']);
    expect(bash(['sched', 'plan', '--det'])).toEqual(['--detailed-exitcode']);
    expect(bash(['sched', 'logs', ''])).toEqual(['backup', 'nightly-report']);
    expect(bash(['sched', 'pause', 'ni'])).toEqual(['nightly-report']);
    expect(bash(['sched', 'history', '-f', 'other.yaml', ''])).toEqual(['only-here']);
    expect(bash(['sched', 'plan', '--out', 'oth'])).toEqual(['other.yaml']);
  });

  it.skipIf(!has('zsh'))('zsh: the same function through bashcompinit', { timeout: 120_000 }, () => {
    const file = script('zsh');
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    // Outside a completion widget bashcompinit's compgen does not filter by prefix (zsh's
    // completion system does that): compare the candidate sets.
    const candidates = (words: string[]) => {
      const line = `autoload -U compinit && compinit -u -d ${dir}/.zcompdump; source ${file}; setopt ksharrays; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _sched; print -l -- "\${COMPREPLY[@]}"`;
      const r = spawnSync('zsh', ['-c', line], { cwd: dir, encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    expect(candidates(['sched', 'run-n'])).toContain('run-now');
    expect(candidates(['sched', 'logs', ''])).toEqual(['backup', 'nightly-report']);
  });

  it.skipIf(!has('fish'))('fish: commands, flags with descriptions, job names', { timeout: 120_000 }, () => {
    const file = script('fish');
    const complete = (line: string) => {
      const r = spawnSync(
        'fish',
        ['--no-config', '-c', `source ${file}; complete -C ${JSON.stringify(line)}`],
        {
          cwd: dir,
          encoding: 'utf8',
          env,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      return r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0])
        .sort();
    };
    expect(complete('sched run')).toEqual(['run', 'run-now']);
    expect(complete('sched plan --detailed')).toEqual(['--detailed-exitcode']);
    expect(complete('sched logs ')).toEqual(['backup', 'nightly-report']);
    expect(complete('sched logs --file other.yaml ')).toEqual(['only-here']);
  });
});
