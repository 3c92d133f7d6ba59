import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import plist from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedBackendFor } from '../../src/backends/embedded/index.js';
import { acquireDaemonLock, daemonLockPath, readDaemonLock } from '../../src/daemon/lock.js';
import { loadEmbeddedJobs } from '../../src/daemon/records.js';
import { renderDaemonPlist, renderDaemonUnit, systemdQuote } from '../../src/daemon/install.js';
import { installDaemon, formatEvent } from '../../src/services/daemon.js';
import type { Job } from '../../src/model/job.js';
import type { RenderContext } from '../../src/backends/types.js';
import { UserError } from '../../src/errors.js';
import { cron, testJob } from '../fakes/job.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sched-daemon-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('daemon lock', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('is exclusive while its holder lives, released on release', async () => {
    const root = path.join(tmp, 'not', 'yet', 'state');
    const lock = await acquireDaemonLock(root, ['a']);
    expect(await readDaemonLock(daemonLockPath(root))).toMatchObject({ pid: process.pid, projects: ['a'] });
    expect((await stat(daemonLockPath(root))).mode & 0o777).toBe(0o700);
    await lock.release();
    await expect(stat(daemonLockPath(root))).rejects.toThrow();
  });

  it('refuses while another live process holds it, naming the pid', async () => {
    const root = path.join(tmp, 'state');
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child!.once('spawn', r));
    await mkdir(path.join(root, 'embedded'), { recursive: true });
    await writeFile(
      daemonLockPath(root),
      JSON.stringify({ pid: child.pid, startedAt: 'then', projects: null }),
    );
    const err = await acquireDaemonLock(root, null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(new RegExp(`another sched daemon \\(pid ${child.pid}`));
    expect((err as UserError).hint).toMatch(/SCHED_HOME/);
  });

  it('takes over a lock whose pid is dead, or is its own pid (restarted container), or is garbage', async () => {
    const root = path.join(tmp, 'state');
    const dead = spawnSync('true').pid!;
    await mkdir(path.join(root, 'embedded'), { recursive: true });
    for (const content of [
      JSON.stringify({ pid: dead, startedAt: 'x', projects: null }),
      JSON.stringify({ pid: process.pid, startedAt: 'x', projects: null }),
      'garbage',
    ]) {
      await writeFile(daemonLockPath(root), content);
      const lock = await acquireDaemonLock(root, null);
      expect((await readDaemonLock(daemonLockPath(root)))?.pid).toBe(process.pid);
      await lock.release();
    }
  });
});

const ctx: RenderContext = {
  nodePath: '/n',
  schedBin: '/b',
  stateDir: '/s',
  hostTimezone: 'UTC',
  homeDir: '/h',
};
function makeJob(project: string, name: string, expr = '* * * * *'): Job {
  return testJob({ project, name, schedule: cron(expr), command: { shell: 'true' }, workingDir: '/' });
}

describe('loadEmbeddedJobs', () => {
  it('reads the records of all projects or of the chosen ones; reports unusable files', async () => {
    const root = path.join(tmp, 'state');
    for (const [project, names] of [
      ['alpha', ['one', 'two']],
      ['beta', ['three']],
    ] as const) {
      const b = embeddedBackendFor(root);
      await b.apply(
        project,
        names.map((n) => {
          const a = b.render(makeJob(project, n), ctx)[0]!;
          return { action: 'create' as const, id: a.id, job: a.job, kind: a.kind, after: a };
        }),
      );
    }
    await writeFile(path.join(root, 'embedded', 'beta', 'broken.json'), '{');
    await writeFile(path.join(root, 'embedded', 'beta', 'README'), 'not a record');
    const all = await loadEmbeddedJobs(root);
    expect(all.jobs.map((j) => `${j.project}/${j.name}`)).toEqual(['alpha/one', 'alpha/two', 'beta/three']);
    expect(all.jobs[0]).toEqual({
      project: 'alpha',
      name: 'one',
      schedule: { kind: 'cron', expr: '* * * * *', source: '* * * * *' },
      timezone: 'UTC',
    });
    expect(all.problems).toEqual([
      { file: path.join(root, 'embedded', 'beta', 'broken.json'), problem: 'not valid JSON' },
    ]);
    const onlyAlpha = await loadEmbeddedJobs(root, ['alpha']);
    expect(onlyAlpha.jobs.map((j) => j.name)).toEqual(['one', 'two']);
    expect(onlyAlpha.problems).toEqual([]);
    expect(await loadEmbeddedJobs(path.join(tmp, 'nothing-here'))).toEqual({ jobs: [], problems: [] });
  });
});

const haveSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!haveSystemdAnalyze)
  console.warn('skipping systemd-analyze verify of sched-daemon.service: systemd-analyze not found');

describe('daemon --install', () => {
  const opts = {
    nodePath: '/usr/local/bin/node',
    schedBin: '/opt/my sched/bin/run.js',
    args: ['--project', 'billing'],
    env: { SCHED_HOME: '/var/lib/sched 100%', PATH: '/usr/bin:/bin' },
    graceSeconds: 30,
  };

  it('systemd: Restart=always, only the daemon gets SIGTERM, quoting that systemd reads back', () => {
    const unit = renderDaemonUnit(opts);
    expect(unit).toContain('Restart=always\n');
    expect(unit).toContain('KillMode=mixed\n');
    expect(unit).toContain('TimeoutStopSec=60\n');
    expect(unit).toContain('WantedBy=default.target\n');
    expect(unit).toContain(
      `ExecStart="/usr/local/bin/node" "/opt/my sched/bin/run.js" "daemon" "--project" "billing"\n`,
    );
    expect(unit).toContain('Environment="SCHED_HOME=/var/lib/sched 100%%"\n');
    expect(systemdQuote('a"b\\c$d%e')).toBe('"a\\"b\\\\c$$d%%e"');
  });

  it.skipIf(!haveSystemdAnalyze)('systemd: the unit passes systemd-analyze verify', async () => {
    const dir = path.join(tmp, 'unit');
    await mkdir(dir);
    const bin = path.join(tmp, 'run.js');
    await writeFile(bin, '');
    await writeFile(
      path.join(dir, 'sched-daemon.service'),
      renderDaemonUnit({ ...opts, nodePath: process.execPath, schedBin: bin }),
    );
    const r = spawnSync('systemd-analyze', ['verify', '--user', path.join(dir, 'sched-daemon.service')], {
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: tmp, SYSTEMD_LOG_LEVEL: 'warning' },
    });
    expect(r.status).toBe(0);
    // never a complaint about a line of our unit
    expect(r.stderr).not.toMatch(/sched-daemon\.service:\d+/);
    expect(r.stderr).not.toMatch(/Unknown (key|section)|Failed to parse|bad-setting/i);
  });

  it('launchd: KeepAlive agent that parses back to the same arguments', () => {
    const xml = renderDaemonPlist({ ...opts, logFile: '/tmp/d.log' });
    const doc = plist.parse(xml) as Record<string, unknown>;
    expect(doc).toMatchObject({
      Label: 'dev.sched.daemon',
      KeepAlive: true,
      RunAtLoad: true,
      ProgramArguments: ['/usr/local/bin/node', '/opt/my sched/bin/run.js', 'daemon', '--project', 'billing'],
      EnvironmentVariables: { SCHED_HOME: '/var/lib/sched 100%', PATH: '/usr/bin:/bin' },
      StandardOutPath: '/tmp/d.log',
    });
  });

  it('installDaemon writes the unit under XDG_CONFIG_HOME, says how to enable it, never overwrites a foreign file', async () => {
    const env = {
      SCHED_HOME: path.join(tmp, 'state'),
      XDG_CONFIG_HOME: path.join(tmp, 'config'),
      PATH: '/usr/bin',
    };
    const r = await installDaemon({
      stateRoot: env.SCHED_HOME,
      graceSeconds: 30,
      env,
      platform: 'linux',
      home: tmp,
    });
    expect(r.file).toBe(path.join(tmp, 'config', 'systemd', 'user', 'sched-daemon.service'));
    expect(r.changed).toBe(true);
    expect(r.enable.join('\n')).toMatch(/systemctl --user enable --now sched-daemon\.service/);
    const text = await readFile(r.file, 'utf8');
    expect(text).toContain(`Environment="SCHED_HOME=${env.SCHED_HOME}"`);
    expect(
      (
        await installDaemon({
          stateRoot: env.SCHED_HOME,
          graceSeconds: 30,
          env,
          platform: 'linux',
          home: tmp,
        })
      ).changed,
    ).toBe(false);
    await writeFile(r.file, '[Service]\nExecStart=/bin/other\n');
    await expect(
      installDaemon({ stateRoot: env.SCHED_HOME, graceSeconds: 30, env, platform: 'linux', home: tmp }),
    ).rejects.toThrow(/not written by sched/);
    const mac = await installDaemon({
      stateRoot: env.SCHED_HOME,
      graceSeconds: 30,
      env,
      platform: 'darwin',
      home: tmp,
    });
    expect(mac.file).toBe(path.join(tmp, 'Library', 'LaunchAgents', 'dev.sched.daemon.plist'));
    expect(mac.enable[0]).toMatch(/^launchctl bootstrap gui\/\$\(id -u\) /);
    await expect(
      installDaemon({ stateRoot: env.SCHED_HOME, graceSeconds: 30, env, platform: 'win32', home: tmp }),
    ).rejects.toBeInstanceOf(UserError);
  });
});

describe('log lines', () => {
  it('one line per event, text or JSON', () => {
    const e = {
      event: 'fired' as const,
      time: '2026-01-01T00:01:00.012Z',
      project: 'p',
      job: 'j',
      scheduled: '2026-01-01T00:01:00.000Z',
      pid: 7,
    };
    expect(formatEvent(e, false)).toBe('2026-01-01T00:01:00.012Z fired p/j at 2026-01-01T00:01:00.000Z');
    expect(JSON.parse(formatEvent(e, true))).toEqual({ format_version: 2, ...e });
    // JSON lines are a published format: snake_case keys at every depth.
    expect(
      JSON.parse(
        formatEvent(
          { event: 'stopping', time: 't', graceMs: 30000, running: [{ pidStart: '1' }], stateDir: '/s' },
          true,
        ),
      ),
    ).toEqual({
      format_version: 2,
      event: 'stopping',
      time: 't',
      grace_ms: 30000,
      running: [{ pid_start: '1' }],
      state_dir: '/s',
    });
    expect(
      formatEvent(
        { event: 'exited', time: 't', project: 'p', job: 'j', code: 0, signal: null, durationMs: 1500 },
        false,
      ),
    ).toBe('t p/j exited with code 0 after 1.5s');
    expect(
      formatEvent(
        { event: 'picked-up-change', time: 't', added: ['p/a'], changed: [], removed: ['p/b'], next: null },
        false,
      ),
    ).toBe('t picked up change: added p/a; removed p/b');
  });
});
