/**
 * `sched import` on the real crontab of a throw-away user (issue 6's "done when"): ten foreign
 * job lines (macros, ranges, names, steps, an escaped `%`, env lines, comments, a SHELL change)
 * and one that cannot be imported (a bare `%`). The proposed YAML validates; `--write` keeps the
 * existing file's comments; `apply` then leaves every imported job exactly once, in sched's
 * block, and the original lines are comments (and in the backup), not active any more.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { cliSkipReason, execAs, sched as schedVia } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e sched import on the real crontab: ${skip}`);

/** The foreign job lines, each with what the imported job must be (written by hand, from cron's rules). */
const JOBS: { line: string; schedule: string; command: string | string[] }[] = [
  {
    line: '@daily /usr/sbin/logrotate-user --state /tmp/lr.state',
    schedule: '@daily',
    command: '/usr/sbin/logrotate-user --state /tmp/lr.state',
  },
  {
    line: '*/15 9-17 * * 1-5 /usr/local/bin/sync-inbox --fast',
    schedule: '*/15 9-17 * * 1-5',
    command: '/usr/local/bin/sync-inbox --fast',
  },
  {
    line: '0 2 * * *\tcd /tmp && ./build.sh >> build.log 2>&1',
    schedule: '0 2 * * *',
    command: 'cd /tmp && ./build.sh >> build.log 2>&1',
  },
  {
    line: "30 4 1,15 * * echo 'backup 100\\% done' > /tmp/x",
    schedule: '30 4 1,15 * *',
    command: "echo 'backup 100% done' > /tmp/x",
  },
  { line: '0 0 */2 * 1 /usr/bin/true', schedule: '0 0 */2 * 1', command: '/usr/bin/true' },
  { line: '@reboot /usr/local/bin/on-boot', schedule: 'boot', command: '/usr/local/bin/on-boot' },
  { line: '0 9 * * 1-5 echo weekday', schedule: 'weekday', command: 'echo weekday' },
  {
    line: '5 4 * jan-jun sun /usr/bin/backup-weekly',
    schedule: '5 4 * jan-jun sun',
    command: '/usr/bin/backup-weekly',
  },
  {
    line: '15 14 1 * * [[ -d /tmp ]] && echo bash-only',
    schedule: '15 14 1 * *',
    command: ['/bin/bash', '-c', '[[ -d /tmp ]] && echo bash-only'],
  },
  {
    line: '@hourly date +\\%s >> /tmp/stamps',
    schedule: '@hourly',
    command: ['/bin/bash', '-c', 'date +%s >> /tmp/stamps'],
  },
];
const REFUSED = '0 22 * * 1-5 mail -s report me%body text%';

const CRONTAB = [
  '# m h  dom mon dow   command',
  'MAILTO=ops@example.com',
  'PATH=/usr/local/bin:/usr/bin:/bin',
  '',
  '# Rotate my logs',
  JOBS[0]!.line,
  JOBS[1]!.line,
  '',
  JOBS[2]!.line,
  JOBS[3]!.line,
  JOBS[4]!.line,
  JOBS[5]!.line,
  JOBS[6]!.line,
  JOBS[7]!.line,
  REFUSED,
  'SHELL=/bin/bash',
  JOBS[8]!.line,
  JOBS[9]!.line,
  '',
].join('\n');

const EXISTING = `# Our schedules — keep this comment
version: 1
project: e2e-import   # the ownership namespace
backend: crontab
jobs:
  # a job sched already manages
  existing:
    schedule: "0 3 * * *"   # nightly
    command: ["echo", "existing"]
`;

describe.skipIf(skip)('sched import on the real crontab of a throw-away user', () => {
  let user: CronUser;
  let file: string;
  const cli = (args: string[]) => schedVia(execAs(user), args);

  beforeAll(() => {
    user = createCronUser();
    file = path.join(user.home, 'schedules.yaml');
    user.writeOwned(file, EXISTING);
    user.write(CRONTAB);
  });
  afterAll(() => user?.remove());

  it('proposes the ten jobs as YAML that validates, and refuses the % line with its reason', async () => {
    const r = await cli(['import', '-f', file, '--backend', 'crontab', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      proposals: {
        name: string;
        schedule: string;
        command: unknown;
        description?: string;
        env?: Record<string, string>;
      }[];
      refused: { source: { original: string }; reason: string }[];
      yaml: string;
    };
    expect(out.proposals.map((p) => [p.schedule, p.command])).toEqual(
      JOBS.map((j) => [j.schedule, j.command]),
    );
    expect(out.proposals[0]!.description).toBe('Rotate my logs');
    expect(out.proposals.every((p) => p.env?.PATH === '/usr/local/bin:/usr/bin:/bin')).toBe(true);
    expect(out.proposals.every((p) => p.env?.MAILTO === undefined)).toBe(true);
    expect(new Set(out.proposals.map((p) => p.name)).size).toBe(10);
    expect(out.refused.map((x) => x.source.original)).toEqual([REFUSED]);
    expect(out.refused[0]!.reason).toMatch(/standard input/);

    // The YAML alone, in a file of its own, validates.
    const alone = path.join(user.home, 'alone.yaml');
    writeFileSync(alone, `version: 1\nproject: alone\njobs:\n${out.yaml.replace(/^(?=.)/gm, '  ')}`);
    const loaded = await loadProject(alone, { checkFilesystem: false });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded.project!.jobs).toHaveLength(10);
    // Nothing was written.
    expect(user.read()).toBe(CRONTAB);
    expect(readFileSync(file, 'utf8')).toBe(EXISTING);
  });

  it('--write appends with the comments kept and comments the originals out, with a backup', async () => {
    const r = await cli(['import', '-f', file, '--backend', 'crontab', '--write']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Commented out 10 crontab lines/);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(EXISTING)).toBe(true); // every byte of the old file, comments included
    const loaded = await loadProject(file);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded.project!.jobs).toHaveLength(11);

    const now = user.read()!;
    for (const j of JOBS) {
      expect(now).toContain(`# sched-imported: ${j.line}\n`);
      expect(now.split('\n')).not.toContain(j.line);
    }
    expect(now.split('\n')).toContain(REFUSED); // not importable: left running
    const stateDir = path.join(user.home, '.local', 'state', 'sched');
    const backups = readdirSync(stateDir).filter((n) => /^import-backup-.*\.crontab$/.test(n));
    expect(backups).toHaveLength(1);
    expect(readFileSync(path.join(stateDir, backups[0]!), 'utf8')).toBe(CRONTAB);
  });

  it('apply installs every imported job exactly once, inside the block; a second import finds nothing new', async () => {
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr + apply.stdout).toBe(0);
    const now = user.read()!;
    const loaded = await loadProject(file);
    const begin = now.indexOf('# BEGIN sched e2e-import\n');
    const end = now.indexOf('# END sched e2e-import');
    expect(begin).toBeGreaterThanOrEqual(0);
    for (const job of loaded.project!.jobs) {
      const hits = [...now.matchAll(new RegExp(`--trigger crontab ${job.name}\\n`, 'g'))];
      expect(hits, job.name).toHaveLength(1);
      expect(hits[0]!.index).toBeGreaterThan(begin);
      expect(hits[0]!.index).toBeLessThan(end);
    }
    // Outside the block, no imported line is active.
    const outside = now.slice(0, begin) + now.slice(end);
    const active = outside
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('#') && !/^[A-Z_]+=/.test(l));
    expect(active).toEqual([REFUSED]);

    expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(0);
    const again = await cli(['import', '-f', file, '--backend', 'crontab', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).proposals).toEqual([]);
  });
});

describe.skipIf(skip)('sched import --write --apply: one crontab write, no gap, no double run', () => {
  let user: CronUser;
  const cli = (args: string[]) => schedVia(execAs(user), args);
  beforeAll(() => {
    user = createCronUser();
  });
  afterAll(() => user?.remove());

  it('creates schedules.yaml, installs the jobs and comments the originals out', async () => {
    const crontab = `# Sync\n${JOBS[1]!.line}\n${JOBS[4]!.line}\n`;
    user.write(crontab);
    const file = path.join(user.home, 'schedules.yaml');
    const r = await cli(['import', '-f', file, '--backend', 'crontab', '--write', '--apply']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Applied/);
    const now = user.read()!;
    expect(
      now.startsWith(
        `# Sync\n# sched-imported: ${JOBS[1]!.line}\n# sched-imported: ${JOBS[4]!.line}\n# BEGIN sched `,
      ),
    ).toBe(true);
    const loaded = await loadProject(file);
    expect(loaded.project!.jobs.map((j) => j.schedule.source)).toEqual([
      JOBS[1]!.schedule,
      JOBS[4]!.schedule,
    ]);
    for (const job of loaded.project!.jobs)
      expect(now.split(`--trigger crontab ${job.name}\n`)).toHaveLength(2);
    expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(0);
  });
});
