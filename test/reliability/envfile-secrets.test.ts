/**
 * Issue 12.3: a malformed or hostile env_file must not put its content anywhere — stderr, run.log,
 * history.jsonl, last-run.json, `sched history`. Each run below holds a marker string in the
 * env_file (or, for /proc/self/environ, in the environment); after the runs the marker must appear
 * in no output and no file of the state directory, and every run must fail loudly, naming the
 * file and the line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from '../e2e/helpers/cli.js';
import { applySpec, makeJob, tempDir } from '../run/helpers.js';

const skip = cliSkipReason();
const MARKER = 'ghp_SCHEDLEAKMARKER0123456789abcdefXYZ';

/** Every file below `dir`, recursively. */
function filesBelow(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesBelow(p) : [p];
  });
}

interface Case {
  job: string;
  /** The env_file's text (written 0600), or a path to use as it is. */
  text?: string;
  path?: string;
  mode?: number;
  /** What the error must say (never the content). */
  error: RegExp;
}

const CASES: Case[] = [
  { job: 'no-equals', text: `A=1\n${MARKER}\n`, error: /line 2: expected KEY=VALUE/ },
  {
    job: 'trailing',
    text: `API_KEY="abc" ${MARKER}\n`,
    error: /line 1: unexpected text after the quoted value/,
  },
  { job: 'bad-name', text: `${MARKER} X=1\n`, error: /line 1: invalid variable name/ },
  { job: 'open-quote', text: `A=1\nB="${MARKER}\n`, error: /line 2: unterminated double quote/ },
  {
    job: 'proc-environ',
    path: '/proc/self/environ',
    error: /refusing env_file \/proc\/self\/environ: it is a kernel file/,
  },
  {
    job: 'world-writable',
    text: `TOKEN=${MARKER}\n`,
    mode: 0o666,
    error: /others can write it \(mode 666\)/,
  },
];

describe.skipIf(skip)('env_file content never leaks', () => {
  let root: string;
  let dir: string;
  const outputs: string[] = [];

  beforeAll(async () => {
    dir = tempDir('sched-envleak-');
    root = path.join(dir, 'state');
    for (const c of CASES) {
      let envFile = c.path;
      if (c.text !== undefined) {
        envFile = path.join(dir, `${c.job}.env`);
        fs.writeFileSync(envFile, c.text, { mode: 0o600 });
        if (c.mode !== undefined) fs.chmodSync(envFile, c.mode);
      }
      await applySpec(root, makeJob({ name: c.job, envFile: envFile!, command: { argv: ['/bin/true'] } }));
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(CASES)('$job: the run fails naming the file and the problem, without the content', async (c) => {
    const env = { SCHED_HOME: root, LEAK_CHECK: MARKER };
    const exec = localExec(dir);
    const run = await sched(exec, ['run', '--project', 'demo', c.job], env);
    const hist = await sched(exec, ['history', c.job, '--project', 'demo'], env);
    const json = await sched(exec, ['history', c.job, '--project', 'demo', '--json'], env);
    outputs.push(run.stdout, run.stderr, hist.stdout, hist.stderr, json.stdout, json.stderr);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(c.error);
    expect(run.stderr).toContain(c.path ?? path.join(dir, `${c.job}.env`));
    expect(hist.stdout + json.stdout).toMatch(c.error);
    expect(run.stderr + hist.stdout + json.stdout).not.toContain(MARKER);
  });

  it('a named pipe as env_file is refused at once (the run does not hang on it)', async () => {
    const fifo = path.join(dir, 'pipe.env');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await applySpec(root, makeJob({ name: 'fifo', envFile: fifo }));
    const run = await sched(localExec(dir), ['run', '--project', 'demo', 'fifo'], { SCHED_HOME: root });
    expect(run.stderr).toContain(`refusing env_file ${fifo}: it is a named pipe`);
    expect(run.exitCode).not.toBe(0);
  });

  it('after all of them, the marker is in no output and no file of the state directory', () => {
    expect(outputs.length).toBe(CASES.length * 6);
    expect(outputs.join('\n')).not.toContain(MARKER);
    const files = filesBelow(root);
    expect(files.some((f) => f.endsWith('history.jsonl'))).toBe(true);
    expect(files.some((f) => f.endsWith('run.log'))).toBe(true);
    for (const f of files) expect(fs.readFileSync(f, 'utf8'), f).not.toContain(MARKER);
  });
});
