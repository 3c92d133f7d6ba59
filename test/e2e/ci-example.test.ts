/**
 * Runs the commands of the CI examples (examples/ci/, .pre-commit-hooks.yaml) as the runner would,
 * with the compiled CLI as `sched`: the validate workflow's annotations, the drift workflow's
 * exit codes and job summary (embedded backend, temp SCHED_HOME), the GitLab drift job, and the
 * pre-commit hook's entry.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, REPO_ROOT, SCHED_BIN } from './helpers/cli.js';

const skip =
  cliSkipReason() ??
  (spawnSync('bash', ['-c', 'command -v hostname'], { encoding: 'utf8' }).status === 0
    ? undefined
    : "'hostname' is not installed");
if (skip) console.warn(`[skip] e2e CI examples: ${skip}`);

const CI = path.join(REPO_ROOT, 'examples', 'ci');

interface Step {
  name?: string;
  run?: string;
}

/** The `run:` script of a workflow step, by name. */
function workflowStep(file: string, job: string, name: string): string {
  const wf = parse(readFileSync(path.join(CI, file), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const step = wf.jobs[job]!.steps.find((s) => s.name === name);
  if (!step?.run) throw new Error(`no step '${name}' with run: in ${file}`);
  return step.run;
}

const VALID = `version: 1
project: ci-example
backend: embedded
jobs:
  report:
    schedule: "0 2 * * *"
    command: ["echo", "report"]
`;

/** Line and column of each mistake counted by hand: `"    schedule: "` is 14 characters, so the 6 of 61 is column 16. */
const BROKEN = `version: 1
backend: embedded
jobs:
  report:
    schedule: "61 * * * *"
    command: ["echo", "hi"]
    overlap: skp
    timezone: Mars/Base
`;

describe.skipIf(skip)('the CI examples, run as a runner would', () => {
  let dir: string;
  let bin: string;
  let summary: string;

  /** Runs `script` with bash -e (as GitHub does) in `cwd`, `sched` on PATH. */
  function sh(script: string, cwd: string, extraEnv: Record<string, string> = {}) {
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: dir,
        SCHED_HOME: path.join(dir, 'state'),
        GITHUB_STEP_SUMMARY: summary,
        NO_COLOR: '1',
        TZ: 'UTC',
        ...extraEnv,
      },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sched-ci-example-'));
    bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'sched'), `#!/bin/sh\nexec '${process.execPath}' '${SCHED_BIN}' "$@"\n`);
    chmodSync(path.join(bin, 'sched'), 0o755);
    summary = path.join(dir, 'summary.md');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validate --format github annotates each mistake at its line and column', () => {
    const repo = mkdtempSync(path.join(dir, 'repo-'));
    writeFileSync(path.join(repo, 'schedules.yaml'), BROKEN);
    const script = workflowStep('github-actions-validate.yml', 'validate', 'sched validate').replace(
      /npx sched/g,
      'sched',
    );
    const r = sh(script, repo);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^::error file=schedules\.yaml,line=5,col=16,title=sched [\w-]+::.*61/);
    expect(lines[1]).toMatch(/^::error file=schedules\.yaml,line=7,col=14,title=sched [\w-]+::.*overlap/);
    expect(lines[2]).toMatch(/^::error file=schedules\.yaml,line=8,col=15,title=sched [\w-]+::.*Mars\/Base/);
  });

  it('validate --format github prints nothing and passes for a valid file', () => {
    const repo = mkdtempSync(path.join(dir, 'repo-'));
    writeFileSync(path.join(repo, 'schedules.yaml'), VALID);
    const r = sh('sched validate --format github', repo);
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  describe('drift check', () => {
    let repo: string;
    const drift = () => workflowStep('github-actions-drift.yml', 'drift', 'sched plan --detailed-exitcode');
    beforeAll(() => {
      repo = mkdtempSync(path.join(dir, 'repo-'));
      writeFileSync(path.join(repo, 'schedules.yaml'), VALID);
    });

    it('plan --detailed-exitcode: 2 with pending changes, 0 after apply, 2 after an edit', () => {
      expect(sh('sched plan --detailed-exitcode', repo).code).toBe(2);
      expect(sh('sched apply --auto-approve', repo).code).toBe(0);
      expect(sh('sched plan --detailed-exitcode', repo).code).toBe(0);
      writeFileSync(path.join(repo, 'schedules.yaml'), VALID.replace('0 2 * * *', '0 3 * * *'));
      expect(sh('sched plan --detailed-exitcode', repo).code).toBe(2);
      writeFileSync(path.join(repo, 'schedules.yaml'), VALID);
      expect(sh('sched plan --detailed-exitcode', repo).code).toBe(0);
    });

    it('the workflow step passes when the host matches, with a summary saying so', () => {
      writeFileSync(summary, '');
      const r = sh(drift(), repo);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(summary, 'utf8')).toMatch(/^### sched: no drift on /);
      const plan = JSON.parse(readFileSync(path.join(repo, 'sched-plan.json'), 'utf8')) as {
        has_changes: boolean;
      };
      expect(plan.has_changes).toBe(false);
    });

    it('the workflow step fails on drift, with the plan in the summary and an annotation', () => {
      writeFileSync(path.join(repo, 'schedules.yaml'), VALID.replace('0 2 * * *', '0 4 * * *'));
      writeFileSync(summary, '');
      const r = sh(drift(), repo);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^::error title=sched drift::/m);
      const text = readFileSync(summary, 'utf8');
      expect(text).toMatch(/^### sched: drift on /);
      expect(text).toContain('~ report (changed in the file)');
      expect(text).toContain('Plan: 0 to add, 1 to change, 0 to delete.');
      const plan = JSON.parse(readFileSync(path.join(repo, 'sched-plan.json'), 'utf8')) as {
        has_changes: boolean;
      };
      expect(plan.has_changes).toBe(true);
    });

    it('the workflow step fails on an error (invalid file), with the error in the summary', () => {
      writeFileSync(path.join(repo, 'schedules.yaml'), BROKEN);
      writeFileSync(summary, '');
      const r = sh(drift(), repo);
      expect(r.code).toBe(1);
      expect(readFileSync(summary, 'utf8')).toMatch(/^### sched plan failed on [\s\S]*schedules\.yaml:5:16/);
    });

    it('the GitLab drift job: 0 when the host matches, 1 on drift', () => {
      const job = (
        parse(readFileSync(path.join(CI, 'gitlab-ci.yml'), 'utf8')) as Record<string, { script: string[] }>
      )['sched-drift']!;
      const script = job.script.join('\n');
      writeFileSync(path.join(repo, 'schedules.yaml'), VALID);
      expect(sh(script, repo).code).toBe(0);
      writeFileSync(path.join(repo, 'schedules.yaml'), VALID.replace('0 2 * * *', '0 5 * * *'));
      const r = sh(script, repo);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/drift on/);
      expect(existsSync(path.join(repo, 'sched-plan.json'))).toBe(true);
    });
  });

  it('the pre-commit hook validates every staged schedules file and fails on a broken one', () => {
    const hooks = parse(readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{
      id: string;
      entry: string;
      files: string;
      pass_filenames?: boolean;
    }>;
    const hook = hooks.find((h) => h.id === 'sched-validate')!;
    const files = new RegExp(hook.files);
    expect(['schedules.yaml', 'deploy/schedules.yml'].every((f) => files.test(f))).toBe(true);
    expect(['myschedules.yaml', 'schedules.yaml.bak'].some((f) => files.test(f))).toBe(false);
    const repo = mkdtempSync(path.join(dir, 'repo-'));
    mkdirSync(path.join(repo, 'a'));
    mkdirSync(path.join(repo, 'b'));
    writeFileSync(path.join(repo, 'a', 'schedules.yaml'), VALID);
    writeFileSync(path.join(repo, 'b', 'schedules.yaml'), BROKEN);
    // pre-commit runs `entry` (shell-split) followed by the matching file names.
    const run = (names: string[]) => sh(`${hook.entry} ${names.map((n) => `'${n}'`).join(' ')}`, repo);
    expect(run(['a/schedules.yaml']).code).toBe(0);
    const bad = run(['a/schedules.yaml', 'b/schedules.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toContain('b/schedules.yaml:5:16');
  });
});
