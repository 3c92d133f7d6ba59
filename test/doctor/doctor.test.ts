import { describe, expect, it } from 'vitest';
import type { Backend, InstalledArtifact } from '../../src/backends/types.js';
import type { Job, Project } from '../../src/model/job.js';
import type { RunResult, Runner } from '../../src/platform/ports.js';
import {
  doctor,
  invokedPaths,
  type DoctorDeps,
  type Finding,
  type PathInfo,
} from '../../src/services/doctor.js';

const UID = 1000;
const dir = (mode = 0o700, uid = UID): PathInfo => ({ isSymlink: false, isDirectory: true, mode, uid });
const file = (mode = 0o600, uid = UID): PathInfo => ({ isSymlink: false, isDirectory: false, mode, uid });

/** Answers by the command line joined with blanks; unknown commands cannot be started. */
function fakeRunner(answers: Record<string, Partial<RunResult> | 'ENOENT'>): Runner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(command, args) {
      const key = [command, ...args].join(' ');
      calls.push(key);
      const a = answers[key];
      if (a === undefined || a === 'ENOENT')
        throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
      return { exitCode: 0, stdout: '', stderr: '', ...a };
    },
  };
}

const CRON_CHECK =
  'sh -c pgrep -x cron >/dev/null 2>&1 || pgrep -x crond >/dev/null 2>&1 || test -s /run/crond.pid || test -s /var/run/crond.pid';

function fakeBackend(
  name: Backend['name'],
  available: boolean,
  installed: InstalledArtifact[] = [],
): Backend {
  return {
    name,
    detect: async () => ({ available, reason: available ? `${name} answers` : `${name} does not answer` }),
    check: () => [],
    render: () => [],
    readInstalled: async () => installed,
    apply: async () => {},
  };
}

function job(name: string, timezone: string): Job {
  return {
    project: 'p',
    name,
    schedule: { kind: 'cron', expr: '0 1 * * *', source: '0 1 * * *' },
    command: { shell: 'true' },
    workingDir: '/srv',
    env: {},
    timezone,
    overlap: 'skip',
    catchUp: false,
    retries: { max: 0, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
  };
}

interface Setup {
  backend?: Backend;
  reason?: string;
  runner?: Record<string, Partial<RunResult> | 'ENOENT'>;
  paths?: Record<string, PathInfo>;
  dirs?: Record<string, string[]>;
  project?: Project;
  problem?: string;
  env?: NodeJS.ProcessEnv;
}

function deps(s: Setup = {}): DoctorDeps {
  const paths: Record<string, PathInfo> = { '/w/schedules.yaml': file(0o644), ...s.paths };
  return {
    runner: fakeRunner({ 'sh -c command -v node': { stdout: '/usr/bin/node\n' }, ...s.runner }),
    fs: {
      lstat: async (p) => paths[p],
      readdir: async (p) => s.dirs?.[p] ?? [],
    },
    env: s.env ?? { PATH: '/usr/bin:/bin' },
    platform: 'linux',
    uid: UID,
    user: 'ann',
    stateRoot: '/h/.local/state/sched',
    zoneinfoDir: '/usr/share/zoneinfo',
    selectBackend: async () => ({
      backend: s.backend ?? fakeBackend('crontab', true),
      reason: s.reason ?? 'auto: crontab found',
    }),
    loadProject: async () => (s.project ? { project: s.project } : { problem: s.problem ?? 'x:1:1: broken' }),
  };
}

const project = (jobs: Job[] = [job('a', 'Europe/Berlin')]): Project => ({
  name: 'p',
  file: '/w/schedules.yaml',
  backend: 'auto',
  jobs,
});
const byId = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);

describe('sched doctor', () => {
  it('all well on crontab: ok everywhere, exit 0', async () => {
    const d = deps({
      project: project(),
      runner: { [CRON_CHECK]: { exitCode: 0 } },
      paths: {
        '/usr/share/zoneinfo/Europe/Berlin': file(0o644),
        '/h/.local/state/sched': dir(),
        '/h/.local/state/sched/projects': dir(),
      },
      dirs: { '/h/.local/state/sched': ['projects'] },
    });
    const report = await doctor('/w/schedules.yaml', d);
    expect(report.findings.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(report.failed).toBe(false);
    expect(byId(report.findings, 'backend')[0]!.message).toBe('backend: crontab (auto: crontab found)');
    expect(report.findings.map((f) => f.id)).toEqual([
      'config',
      'backend',
      'reachable',
      'cron-daemon',
      'paths',
      'state-dir',
      'zones',
      'path',
    ]);
  });

  it('fails when the cron daemon is not running, with the fix', async () => {
    const report = await doctor(
      '/w/schedules.yaml',
      deps({ project: project([]), runner: { [CRON_CHECK]: { exitCode: 1 } } }),
    );
    const [f] = byId(report.findings, 'cron-daemon');
    expect(f).toMatchObject({ status: 'fail', fix: expect.stringMatching(/systemctl enable --now cron/) });
    expect(report.failed).toBe(true);
  });

  it('systemd: lingering off is a warning with loginctl enable-linger; missing loginctl is tolerated', async () => {
    const systemd = fakeBackend('systemd', true);
    const off = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([]),
        backend: systemd,
        runner: { 'loginctl show-user ann -p Linger': { stdout: 'Linger=no\n' } },
      }),
    );
    expect(byId(off.findings, 'linger')[0]).toMatchObject({
      status: 'warn',
      fix: 'loginctl enable-linger ann',
    });
    expect(byId(off.findings, 'cron-daemon')).toEqual([]);
    const on = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([]),
        backend: systemd,
        runner: { 'loginctl show-user ann -p Linger': { stdout: 'Linger=yes\n' } },
      }),
    );
    expect(byId(on.findings, 'linger')[0]!.status).toBe('ok');
    const missing = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([]),
        backend: systemd,
        runner: { 'loginctl show-user ann -p Linger': 'ENOENT' },
      }),
    );
    expect(byId(missing.findings, 'linger')[0]).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/loginctl is not installed/),
    });
    expect(missing.failed).toBe(false);
  });

  it('an unreachable scheduler fails; embedded chosen by auto warns', async () => {
    const down = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([]),
        backend: fakeBackend('systemd', false),
        runner: { 'loginctl show-user ann -p Linger': { stdout: 'Linger=yes' } },
      }),
    );
    expect(byId(down.findings, 'reachable')[0]).toMatchObject({
      status: 'fail',
      message: 'systemd is not reachable: systemd does not answer',
    });
    expect(byId(down.findings, 'paths')).toEqual([]); // nothing to read
    const embedded = await doctor(
      '/w/schedules.yaml',
      deps({ project: project([]), backend: fakeBackend('embedded', true), reason: 'auto: no OS scheduler' }),
    );
    expect(byId(embedded.findings, 'backend')[0]!.status).toBe('warn');
  });

  it('finds installed entries whose node or sched path is gone', async () => {
    const art = (content: string): InstalledArtifact => ({
      id: 'x',
      job: 'a',
      kind: 'k',
      content,
      actualHash: 'h',
      registered: true,
    });
    const backend = fakeBackend('crontab', true, [
      art(
        "# sched-managed project=p job=a hash=sha256:0\n0 1 * * * '/opt/node 20/node' /old/sched/bin/run.js run --project p --trigger crontab a\n",
      ),
    ]);
    const report = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([]),
        backend,
        runner: { [CRON_CHECK]: {} },
        paths: { '/usr/bin/node': file(0o755) },
      }),
    );
    const [f] = byId(report.findings, 'paths');
    expect(f!.status).toBe('fail');
    expect(f!.message).toContain('/opt/node 20/node, /old/sched/bin/run.js');
    expect(f!.fix).toMatch(/sched apply/);
  });

  it('state dir: a symlink fails, foreign ownership fails, loose modes warn', async () => {
    const root = '/h/.local/state/sched';
    const link = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([]),
        runner: { [CRON_CHECK]: {} },
        paths: { [root]: { ...dir(), isSymlink: true } },
      }),
    );
    expect(byId(link.findings, 'state-dir')[0]!.status).toBe('fail');
    const foreign = await doctor(
      '/w/schedules.yaml',
      deps({ project: project([]), runner: { [CRON_CHECK]: {} }, paths: { [root]: dir(0o700, 0) } }),
    );
    expect(byId(foreign.findings, 'state-dir')[0]).toMatchObject({
      status: 'fail',
      fix: `chown -R ann ${root}`,
    });
    const loose = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([]),
        runner: { [CRON_CHECK]: {} },
        paths: { [root]: dir(0o755), [`${root}/spec.json`]: file(0o644) },
        dirs: { [root]: ['spec.json'] },
      }),
    );
    const [f] = byId(loose.findings, 'state-dir');
    expect(f!.status).toBe('warn');
    expect(f!.message).toContain(`${root} is 755 (should be 700)`);
    expect(f!.message).toContain(`${root}/spec.json is 644 (should be 600)`);
  });

  it('zones missing from tzdata fail', async () => {
    const report = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([job('a', 'Europe/Berlin'), job('b', 'America/Nowhere')]),
        runner: { [CRON_CHECK]: {} },
        paths: { '/usr/share/zoneinfo/Europe/Berlin': file(0o644) },
      }),
    );
    expect(byId(report.findings, 'zones')[0]).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('America/Nowhere'),
    });
  });

  it('PATH: no node warns, a "." entry warns', async () => {
    const none = await doctor(
      '/w/schedules.yaml',
      deps({ project: project([]), runner: { [CRON_CHECK]: {}, 'sh -c command -v node': { exitCode: 1 } } }),
    );
    expect(byId(none.findings, 'path')[0]!.status).toBe('warn');
    const dot = await doctor(
      '/w/schedules.yaml',
      deps({ project: project([]), runner: { [CRON_CHECK]: {} }, env: { PATH: '.:/usr/bin' } }),
    );
    expect(byId(dot.findings, 'path')[0]).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/current directory/),
    });
  });

  it('a missing file only warns and checks the host; an invalid one fails', async () => {
    const missing = await doctor('/nowhere.yaml', deps({ runner: { [CRON_CHECK]: {} } }));
    expect(byId(missing.findings, 'config')[0]!.status).toBe('warn');
    expect(missing.failed).toBe(false);
    const invalid = await doctor(
      '/w/schedules.yaml',
      deps({ problem: 'schedules.yaml:3:5: bad cron', runner: { [CRON_CHECK]: {} } }),
    );
    expect(byId(invalid.findings, 'config')[0]).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('bad cron'),
    });
  });
});

describe('invokedPaths', () => {
  it('reads node and sched from crontab lines, ExecStart= and plists', () => {
    expect(invokedPaths("0 1 * * * /usr/bin/node '/opt/s/bin/run.js' run --project p x")).toEqual([
      '/usr/bin/node',
      '/opt/s/bin/run.js',
    ]);
    expect(invokedPaths('ExecStart="/usr/bin/node" "/opt/s/bin/run.js" run --project p x')).toEqual([
      '/usr/bin/node',
      '/opt/s/bin/run.js',
    ]);
    expect(
      invokedPaths(
        '<array>\n<string>/n/node</string>\n<string>/s/run.js</string>\n<string>run</string>\n<string>--project</string>',
      ),
    ).toEqual(['/n/node', '/s/run.js']);
  });
});

describe('sched doctor: systemd wake jobs', () => {
  const GET_OWNER =
    'gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.GetNameOwner org.freedesktop.login1';
  const wakeJob: Job = {
    ...job('resync', 'UTC'),
    schedule: { kind: 'event', event: 'wake', source: 'wake' },
  };
  const check = (answer: Partial<RunResult> | 'ENOENT') =>
    doctor(
      '/w/schedules.yaml',
      deps({
        project: project([wakeJob]),
        backend: fakeBackend('systemd', true),
        runner: { 'loginctl show-user ann -p Linger': { stdout: 'Linger=yes\n' }, [GET_OWNER]: answer },
      }),
    );

  it('asks the system bus whether logind is there, as the wake listener needs', async () => {
    expect(byId((await check({ stdout: "(':1.3',)\n" })).findings, 'wake')[0]).toMatchObject({
      status: 'ok',
      message: 'the system bus answers and logind is on it: wake jobs (resync) run on resume',
    });
    const noBus = await check({
      exitCode: 1,
      stderr: 'Error connecting: Could not connect: No such file or directory\n',
    });
    expect(byId(noBus.findings, 'wake')[0]).toMatchObject({
      status: 'fail',
      message:
        'the system bus or logind does not answer (Error connecting: Could not connect: No such file or directory): wake jobs (resync) would not run on resume',
    });
    expect(noBus.failed).toBe(true);
    expect(byId((await check('ENOENT')).findings, 'wake')[0]).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('libglib2.0-bin'),
    });
  });

  it('says nothing about the bus without wake jobs', async () => {
    const report = await doctor(
      '/w/schedules.yaml',
      deps({
        project: project([job('a', 'UTC')]),
        backend: fakeBackend('systemd', true),
        runner: { 'loginctl show-user ann -p Linger': { stdout: 'Linger=yes\n' } },
      }),
    );
    expect(byId(report.findings, 'wake')).toEqual([]);
  });
});
