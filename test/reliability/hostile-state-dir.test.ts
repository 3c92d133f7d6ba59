/**
 * Issue 12.2, the original attack, with two throw-away Unix users: A made a world-writable
 * directory; B keeps sched's state in it (SCHED_HOME). A can then swap B's
 * `projects/X/jobs/J/spec.json` for one of its own, and B's next `sched run` (what cron starts)
 * would run A's command as B. sched must refuse such a state directory — at apply and at run —
 * naming the path and the fix, and never run the planted command. Also 12.17: B using a state
 * that belongs to A reads as a user error, never as "a bug in sched".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, sched } from '../e2e/helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from '../e2e/helpers/cron-user.js';
import { testJob, cron } from '../fakes/job.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] hostile state directory: ${skip}`);

const YAML = `version: 1
project: victim
backend: crontab
jobs:
  nightly:
    schedule: "0 3 * * *"
    command: ["true"]
`;

describe.skipIf(skip)('a state directory another user can write', () => {
  let a: CronUser;
  let b: CronUser;
  let shared: string;
  let marker: string;

  /** As user A (the attacker): creates `file` and its missing directories, all A's. */
  function plantAsA(file: string, text: string): void {
    const missing: string[] = [];
    for (let d = path.dirname(file); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      fs.mkdirSync(d, { mode: 0o777 });
      fs.chownSync(d, a.uid, a.gid);
    }
    a.writeOwned(file, text);
  }

  /** A's spec for B's job: runs `id -u > marker` — as B, if sched ran it. */
  function plantedSpec(): string {
    const job = testJob({
      project: 'victim',
      name: 'nightly',
      schedule: cron('0 3 * * *'),
      command: { argv: ['/bin/sh', '-c', `id -u > ${marker}`] },
      workingDir: '/',
    });
    return JSON.stringify({
      format_version: 1,
      backend: 'crontab',
      appliedAt: new Date().toISOString(),
      sourceFile: path.join(b.home, 'schedules.yaml'),
      job,
    });
  }

  beforeAll(() => {
    a = createCronUser();
    b = createCronUser();
    // A world-writable directory A made (as `mkdir -m 777` by A would), inside a private temp dir both can enter.
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-hostile-'));
    fs.chmodSync(outer, 0o755);
    shared = path.join(outer, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o777);
    fs.chownSync(shared, a.uid, a.gid);
    // B may create the marker (the attack's proof) only through a command sched runs as B.
    const drop = path.join(outer, 'drop');
    fs.mkdirSync(drop);
    fs.chmodSync(drop, 0o1777);
    marker = path.join(drop, 'ran-as-b');
    fs.writeFileSync(path.join(b.home, 'schedules.yaml'), YAML);
    fs.chownSync(path.join(b.home, 'schedules.yaml'), b.uid, b.gid);
  });
  afterAll(() => {
    a?.remove();
    b?.remove();
  });

  it('refuses B`s apply into it, naming the directory and the fix', async () => {
    const r = await sched(execAs(b), ['apply', '-f', path.join(b.home, 'schedules.yaml'), '--auto-approve'], {
      SCHED_HOME: shared,
    });
    expect(r.stderr).toContain(`refusing to use ${shared}: the directory is owned by uid ${a.uid}`);
    expect(r.stderr).toMatch(/chown|SCHED_HOME/);
    expect(r.stderr).not.toMatch(/bug in sched/);
    expect(r.exitCode).toBe(1);
    expect(b.read() ?? '').not.toContain('victim');
  });

  it('never runs a spec A planted: B`s `sched run` refuses it', async () => {
    plantAsA(path.join(shared, 'projects', 'victim', 'jobs', 'nightly', 'spec.json'), plantedSpec());
    const r = await sched(execAs(b), ['run', '--project', 'victim', 'nightly'], {
      SCHED_HOME: shared,
    });
    expect(fs.existsSync(marker)).toBe(false);
    expect(r.stderr).toContain(`refusing to use ${shared}`);
    expect(r.stderr).not.toMatch(/bug in sched/);
    expect(r.exitCode).toBe(1);
  });

  it('refuses a spec file A owns even inside a directory of B`s own', async () => {
    const own = fs.mkdtempSync(path.join(b.home, 'state-'));
    fs.chownSync(own, b.uid, b.gid);
    const ok = await sched(
      execAs(b),
      ['apply', '-f', path.join(b.home, 'schedules.yaml'), '--auto-approve'],
      {
        SCHED_HOME: own,
      },
    );
    expect(ok.exitCode, ok.stderr).toBe(0);
    const spec = path.join(own, 'projects', 'victim', 'jobs', 'nightly', 'spec.json');
    fs.rmSync(spec);
    a.writeOwned(spec, plantedSpec()); // as if A had once been able to write there
    const r = await sched(execAs(b), ['run', '--project', 'victim', 'nightly'], {
      SCHED_HOME: own,
    });
    expect(fs.existsSync(marker)).toBe(false);
    expect(r.stderr).toContain(`refusing to use ${spec}: the file is owned by uid ${a.uid}`);
    expect(r.exitCode).toBe(1);
  });

  it('B reading a state that is A`s (0700) gets a user error naming the path, never "a bug in sched"', async () => {
    const aState = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-a-state-'));
    const jobDir = path.join(aState, 'projects', 'victim', 'jobs', 'nightly');
    fs.mkdirSync(jobDir, { recursive: true });
    fs.writeFileSync(path.join(jobDir, 'history.jsonl'), '');
    fs.chmodSync(aState, 0o755); // B may look in, but not into A's 0700 job directory
    for (const d of [aState, path.join(aState, 'projects'), path.dirname(path.dirname(jobDir))]) {
      fs.chownSync(d, a.uid, a.gid);
    }
    fs.chownSync(path.dirname(jobDir), a.uid, a.gid);
    fs.chownSync(jobDir, a.uid, a.gid);
    fs.chmodSync(jobDir, 0o700);
    for (const args of [
      ['history', 'nightly', '--project', 'victim'],
      ['run', '--project', 'victim', 'nightly'],
    ]) {
      const r = await sched(execAs(b), args, { SCHED_HOME: aState });
      expect(r.stderr, args[0]).toMatch(new RegExp(`refusing to use ${aState}`));
      expect(r.stderr, args[0]).not.toMatch(/bug in sched/);
      expect(r.exitCode, args[0]).toBe(1);
    }
    fs.rmSync(aState, { recursive: true, force: true });
  });
});
