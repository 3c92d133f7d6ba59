import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../src/errors.js';
import { loadProject } from '../../src/config/load.js';
import type { RunOptions, RunResult, Runner } from '../../src/platform/ports.js';
import { importJobs } from '../../src/services/import.js';

/** A crontab and a systemd user manager, in memory, answering like the real commands. */
class FakeHost implements Runner {
  crontab = '';
  calls: string[] = [];
  units: Record<string, string> = {};
  enabledTimers: string[] = [];
  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const key = [command, ...args].join(' ');
    this.calls.push(key);
    const ok = (stdout = ''): RunResult => ({ exitCode: 0, stdout, stderr: '' });
    if (key === 'sh -c command -v crontab') return ok('/usr/bin/crontab\n');
    if (key === 'crontab -l')
      return this.crontab === ''
        ? { exitCode: 1, stdout: '', stderr: 'no crontab for u\n' }
        : ok(this.crontab);
    if (key === 'crontab -') {
      this.crontab = options.input ?? '';
      return ok();
    }
    if (command === 'crontab' && args.length === 1 && path.isAbsolute(args[0]!)) {
      this.crontab = readFileSync(args[0]!, 'utf8'); // crontab FILE, as the crontab backend installs
      return ok();
    }
    if (key.startsWith('systemctl --user list-unit-files'))
      return ok(this.enabledTimers.map((t) => `${t} enabled enabled\n`).join(''));
    if (key.startsWith('systemctl --user cat ')) {
      const text = this.units[args[2]!];
      return text === undefined
        ? { exitCode: 1, stdout: '', stderr: 'No files found\n' }
        : ok(`# /home/u/.config/systemd/user/${args[2]}\n${text}`);
    }
    if (key.startsWith('systemctl --user disable --now ')) {
      this.enabledTimers = this.enabledTimers.filter((t) => t !== args[3]);
      return ok();
    }
    throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
  }
}

let dir: string;
let fake: FakeHost;
const host = () => ({
  env: { HOME: dir, SCHED_HOME: path.join(dir, 'state') },
  now: new Date('2026-03-01T10:00:00Z'),
  runner: fake,
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sched-import-'));
  fake = new FakeHost();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('importJobs (crontab)', () => {
  const CRONTAB =
    'MAILTO=me\n# Backup\n0 2 * * * /usr/bin/backup\n*/5 * * * * /usr/bin/poll\n0 3 * * * mail x%y\n';

  it('proposes without writing anything', async () => {
    fake.crontab = CRONTAB;
    const out = await importJobs({ file: path.join(dir, 'schedules.yaml'), scheduler: 'crontab' }, host());
    expect(out.proposals.map((p) => p.name)).toEqual(['backup', 'poll']);
    expect(out.refused).toHaveLength(1);
    expect(out.yaml).toContain('backup:');
    expect(fake.crontab).toBe(CRONTAB);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--write: backs up, comments out, then writes a valid file (created with version: 1)', async () => {
    fake.crontab = CRONTAB;
    const file = path.join(dir, 'schedules.yaml');
    const out = await importJobs({ file, scheduler: 'crontab', write: true }, host());
    expect(out.written).toMatchObject({ commentedOut: 2 });
    expect(fake.crontab).toBe(
      'MAILTO=me\n# Backup\n# sched-imported: 0 2 * * * /usr/bin/backup\n# sched-imported: */5 * * * * /usr/bin/poll\n0 3 * * * mail x%y\n',
    );
    expect(readFileSync(out.written!.backup!, 'utf8')).toBe(CRONTAB);
    expect(statSync(out.written!.backup!).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').startsWith('version: 1\n')).toBe(true);
    const loaded = await loadProject(file);
    expect(loaded.project!.jobs.map((j) => [j.name, j.description])).toEqual([
      ['backup', 'Backup'],
      ['poll', undefined],
    ]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('names avoid the jobs already in the file', async () => {
    fake.crontab = '0 2 * * * /usr/bin/backup\n';
    const file = path.join(dir, 'schedules.yaml');
    writeFileSync(file, 'version: 1\njobs:\n  backup:\n    schedule: day\n    command: "true"\n');
    const out = await importJobs({ file, scheduler: 'crontab', write: true }, host());
    expect(out.proposals.map((p) => p.name)).toEqual(['backup-2']);
  });

  it('refuses to write when the result does not validate, and touches nothing', async () => {
    fake.crontab = CRONTAB;
    const file = path.join(dir, 'schedules.yaml');
    writeFileSync(file, 'version: 2\n');
    await expect(importJobs({ file, scheduler: 'crontab', write: true }, host())).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
    expect(fake.crontab).toBe(CRONTAB);
    expect(readFileSync(file, 'utf8')).toBe('version: 2\n');
    expect(fake.calls.filter((c) => c === 'crontab -')).toEqual([]);
  });

  it('refuses when the crontab changed between the scan and the write', async () => {
    fake.crontab = CRONTAB;
    const file = path.join(dir, 'schedules.yaml');
    let reads = 0;
    const orig = fake.run.bind(fake);
    fake.run = async (c, a, o) => {
      if (c === 'crontab' && a[0] === '-l' && ++reads === 2) fake.crontab += '1 1 * * * /new\n';
      return orig(c, a, o);
    };
    await expect(importJobs({ file, scheduler: 'crontab', write: true }, host())).rejects.toThrow(
      /changed while sched was importing/,
    );
    expect(fake.calls.filter((c) => c === 'crontab -')).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.yaml'))).toEqual([]);
  });
});

describe('importJobs --write --apply (crontab backend)', () => {
  it('installs the jobs and comments the originals out in ONE crontab write', async () => {
    fake.crontab = 'PATH=/usr/bin:/bin\n0 2 * * * /usr/bin/backup\n*/5 * * * * /usr/bin/poll\n';
    const file = path.join(dir, 'schedules.yaml');
    writeFileSync(file, '# mine\nversion: 1\nproject: p\nbackend: crontab\njobs: {}\n');
    const out = await importJobs({ file, scheduler: 'crontab', write: true, apply: true }, host());
    const writes = fake.calls.filter((c) => c.startsWith('crontab ') && c !== 'crontab -l');
    expect(writes).toHaveLength(1);
    const lines = fake.crontab.split('\n');
    expect(lines).toContain('# sched-imported: 0 2 * * * /usr/bin/backup');
    expect(lines).toContain('# sched-imported: */5 * * * * /usr/bin/poll');
    expect(lines).not.toContain('0 2 * * * /usr/bin/backup');
    expect(fake.crontab).toMatch(
      /# BEGIN sched p\n[\s\S]*--trigger crontab [^\n]* backup\n[\s\S]*--trigger crontab [^\n]* poll\n[\s\S]*# END sched p/,
    );
    expect(out.written!.plan!.summary.add).toBe(2);
    expect(readFileSync(out.written!.backup!, 'utf8')).toBe(
      'PATH=/usr/bin:/bin\n0 2 * * * /usr/bin/backup\n*/5 * * * * /usr/bin/poll\n',
    );
    expect(readFileSync(file, 'utf8').startsWith('# mine\n')).toBe(true);
  });

  it('puts the file back and writes nothing when the plan cannot be made', async () => {
    fake.crontab = '0 2 * * * /usr/bin/backup\n';
    const file = path.join(dir, 'schedules.yaml');
    // A one-shot cannot go into a crontab: the plan refuses, so nothing may change.
    const original =
      'version: 1\nproject: p\nbackend: crontab\njobs:\n  once:\n    schedule: { at: "2030-01-01 10:00" }\n    command: "true"\n';
    writeFileSync(file, original);
    await expect(
      importJobs({ file, scheduler: 'crontab', write: true, apply: true }, host()),
    ).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(fake.crontab).toBe('0 2 * * * /usr/bin/backup\n');
  });
});

describe('importJobs (systemd)', () => {
  it('imports enabled foreign timers, skips sched-*, disables the imported ones on --write', async () => {
    fake.enabledTimers = ['backup.timer', 'sched-p-x.timer', 'boot.timer'];
    fake.units = {
      'backup.timer': '[Timer]\nOnCalendar=Mon..Fri 02:00\nPersistent=true\n',
      'backup.service': '[Service]\nExecStart=/usr/bin/backup --all\n',
      'boot.timer': '[Timer]\nOnBootSec=1min\n',
      'boot.service': '[Service]\nExecStart=/usr/bin/x\n',
    };
    const file = path.join(dir, 'schedules.yaml');
    const out = await importJobs({ file, scheduler: 'systemd', write: true }, host());
    expect(out.proposals).toMatchObject([
      { name: 'backup', schedule: '0 2 * * 1-5', command: ['/usr/bin/backup', '--all'], catch_up: true },
    ]);
    expect(out.refused.map((r) => r.source.id)).toEqual(['boot.timer']);
    expect(fake.calls).not.toContain('systemctl --user cat sched-p-x.timer');
    expect(fake.calls).toContain('systemctl --user disable --now backup.timer');
    expect(fake.enabledTimers).toEqual(['sched-p-x.timer', 'boot.timer']);
    expect(out.written!.disabled).toEqual(['backup.timer']);
    expect((await loadProject(file)).project!.jobs).toHaveLength(1);
  });
});
