import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedBackend, embeddedBackendFor, EMBEDDED_KIND } from '../../../src/backends/embedded/index.js';
import { parseRecord, renderRecord } from '../../../src/backends/embedded/record.js';
import { contentHash, parseOwnership } from '../../../src/backends/header.js';
import type { ArtifactChange, RenderContext } from '../../../src/backends/types.js';
import type { Job } from '../../../src/model/job.js';
import { MemoryDirFs } from '../../../src/platform/node.js';
import { cron, testJob } from '../../fakes/job.js';

const ctx: RenderContext = {
  nodePath: '/usr/bin/node',
  schedBin: '/opt/sched/bin/run.js',
  stateDir: '/s',
  hostTimezone: 'UTC',
  homeDir: '/h',
};

function makeJob(name: string, over: Partial<Job> = {}): Job {
  const base = { schedule: cron('*/5 * * * *'), command: { argv: ['echo', 'hi'] }, workingDir: '/srv' };
  return testJob({ name, ...base, timezone: 'Europe/Istanbul', catchUp: true, ...over });
}

function creates(backend: EmbeddedBackend, jobs: Job[]): ArtifactChange[] {
  return jobs
    .flatMap((j) => backend.render(j, ctx))
    .map((a) => ({ action: 'create' as const, id: a.id, job: a.job, kind: a.kind, after: a }));
}

describe('embedded record', () => {
  it('carries an ownership header whose hash is the hash of the body without it', () => {
    const { content, hash, body } = renderRecord(makeJob('report'));
    const parsed = JSON.parse(content) as Record<string, unknown>;
    expect(parseOwnership(String(parsed.sched))).toEqual({ project: 'billing', job: 'report', hash });
    const { sched: _ignored, ...rest } = parsed;
    expect(contentHash(JSON.stringify(rest, null, 2))).toBe(hash);
    expect(rest).toEqual(body);
    expect(body).toEqual({
      format_version: 1,
      project: 'billing',
      job: 'report',
      schedule: { kind: 'cron', expr: '*/5 * * * *', source: '*/5 * * * *' },
      timezone: 'Europe/Istanbul',
    });
  });

  it('is byte-stable and changes only with what the daemon needs', () => {
    const a = renderRecord(makeJob('r'));
    expect(renderRecord(makeJob('r')).content).toBe(a.content);
    // the command lives in the applied spec, not in the record
    expect(renderRecord(makeJob('r', { command: { shell: 'other' } })).hash).toBe(a.hash);
    expect(renderRecord(makeJob('r', { timezone: 'UTC' })).hash).not.toBe(a.hash);
  });

  it('parses back; a hand edit, a foreign file and broken JSON are told apart', () => {
    const { content, hash } = renderRecord(makeJob('r'));
    expect(parseRecord(content, 'billing', 'r')).toMatchObject({ recordedHash: hash, actualHash: hash });
    const edited = content.replace('*/5 * * * *"', '*/1 * * * *"');
    const e = parseRecord(edited, 'billing', 'r');
    expect(e.recordedHash).toBe(hash);
    expect(e.actualHash).not.toBe(hash);
    expect(e.body?.schedule).toMatchObject({ expr: '*/1 * * * *' });
    expect(parseRecord('{"schedule": 1}', 'billing', 'r')).toMatchObject({
      recordedHash: undefined,
      problem: 'no sched ownership header',
    });
    const broken = parseRecord(content.slice(0, 40), 'billing', 'r');
    expect(broken.problem).toBe('not valid JSON');
    expect(broken.body).toBeUndefined();
    expect(parseRecord(content, 'billing', 'other').problem).toMatch(/header names billing\/r/);
  });
});

describe('EmbeddedBackend', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sched-embedded-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('is always available and renders one record per job, nothing project-wide', async () => {
    const b = new EmbeddedBackend({ dir: new MemoryDirFs('/x/embedded') });
    expect(await b.detect()).toEqual({ available: true, reason: 'embedded: fired by `sched daemon`' });
    const arts = b.render(makeJob('report'), ctx);
    expect(arts).toHaveLength(1);
    expect(arts[0]).toMatchObject({ id: 'report.json', job: 'report', kind: EMBEDDED_KIND });
    expect(b.renderProject()).toEqual([]);
  });

  it('keeps each project in its own directory (projectDir), never touching another project', async () => {
    const dirs = new Map<string, MemoryDirFs>();
    const b = new EmbeddedBackend({
      dir: new MemoryDirFs('/x/embedded'),
      projectDir: (p) => dirs.get(p) ?? (dirs.set(p, new MemoryDirFs(`/x/embedded/${p}`)), dirs.get(p)!),
    });
    const a = b.render(makeJob('a'), ctx)[0]!;
    await b.apply('billing', [{ action: 'create', id: a.id, job: a.job, kind: a.kind, after: a }]);
    const other = b.render({ ...makeJob('a'), project: 'other' }, ctx)[0]!;
    await b.apply('other', [
      { action: 'create', id: other.id, job: other.job, kind: other.kind, after: other },
    ]);
    expect(dirs.get('billing')!.files.get('a.json')).toEqual({ content: a.content, mode: 0o600 });
    await b.apply('other', [{ action: 'delete', id: 'a.json', job: 'a', kind: EMBEDDED_KIND }]);
    expect((await b.readInstalled('billing')).map((i) => i.id)).toEqual(['a.json']);
    expect(await b.readInstalled('other')).toEqual([]);
    await expect(b.readInstalled('../etc')).rejects.toThrow(/invalid project name/);
  });

  it('records a wake schedule (the daemon runs it at start and when it sees a resume)', () => {
    const b = new EmbeddedBackend({ dir: new MemoryDirFs() });
    const job = makeJob('w', { schedule: { kind: 'event', event: 'wake', source: 'wake' } });
    expect(b.check(job)).toEqual([]);
    expect(JSON.parse(b.render(job, ctx)[0]!.content).schedule).toMatchObject({
      kind: 'event',
      event: 'wake',
    });
    expect(b.check(makeJob('boot', { schedule: { kind: 'event', event: 'boot', source: 'boot' } }))).toEqual(
      [],
    );
  });

  it('apply writes 0600 records in a 0700 directory; readInstalled reads them back registered and in sync', async () => {
    const root = path.join(tmp, 'state');
    const b = embeddedBackendFor(root);
    await b.apply('billing', creates(b, [makeJob('a'), makeJob('b')]));
    const dir = path.join(root, 'embedded', 'billing');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, 'embedded'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'a.json'))).mode & 0o777).toBe(0o600);
    const installed = await b.readInstalled('billing');
    expect(installed.map((i) => [i.id, i.job, i.registered, i.recordedHash === i.actualHash])).toEqual([
      ['a.json', 'a', true, true],
      ['b.json', 'b', true, true],
    ]);
    expect(installed[0]!.content).toBe(b.render(makeJob('a'), ctx)[0]!.content);
    expect(installed[0]!.actualHash).toBe(b.render(makeJob('a'), ctx)[0]!.hash);

    // update and delete
    const upd = b.render(makeJob('a', { timezone: 'UTC' }), ctx)[0]!;
    await b.apply('billing', [
      { action: 'update', id: upd.id, job: 'a', kind: upd.kind, before: installed[0], after: upd },
      { action: 'delete', id: 'b.json', job: 'b', kind: EMBEDDED_KIND, before: installed[1] },
    ]);
    const after = await b.readInstalled('billing');
    expect(after.map((i) => i.id)).toEqual(['a.json']);
    expect(after[0]!.recordedHash).toBe(upd.hash);
    // idempotent
    await b.apply('billing', [{ action: 'delete', id: 'b.json', job: 'b', kind: EMBEDDED_KIND }]);
  });

  it('shows hand edits as drift and foreign files as not ours; ignores other files', async () => {
    const root = path.join(tmp, 'state');
    const b = embeddedBackendFor(root);
    await b.apply('billing', creates(b, [makeJob('a')]));
    const dir = path.join(root, 'embedded', 'billing');
    const file = path.join(dir, 'a.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('Europe/Istanbul', 'UTC'));
    await writeFile(path.join(dir, 'foreign.json'), '{"hello": 1}\n');
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await symlink('/etc/passwd', path.join(dir, 'link.json'));
    const installed = await b.readInstalled('billing');
    const byId = Object.fromEntries(installed.map((i) => [i.id, i]));
    expect(Object.keys(byId).sort()).toEqual(['a.json', 'foreign.json', 'link.json']);
    expect(byId['a.json']!.recordedHash).toBeDefined();
    expect(byId['a.json']!.actualHash).not.toBe(byId['a.json']!.recordedHash);
    expect(byId['foreign.json']!.recordedHash).toBeUndefined();
    expect(byId['link.json']!.recordedHash).toBeUndefined();
    expect(byId['link.json']!.content).toBe('');
  });

  describe('warnings', () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      if (child?.pid) child.kill('SIGKILL');
      child = undefined;
    });

    it('warns when no daemon runs for the state dir, and not when one does', async () => {
      const root = path.join(tmp, 'state');
      const b = embeddedBackendFor(root);
      expect((await b.warnings())[0]).toMatch(/no `sched daemon` is running.*sched daemon --install/);
      // a lock held by a live process (any process of ours will do)
      child = spawn('sleep', ['30'], { stdio: 'ignore' });
      await new Promise((r) => child!.once('spawn', r));
      await mkdir(path.join(root, 'embedded'), { recursive: true });
      const lock = path.join(root, 'embedded', 'daemon.lock');
      await writeFile(lock, JSON.stringify({ pid: child.pid, startedAt: 'x', projects: null }));
      expect(await b.warnings()).toEqual([]);
      await writeFile(lock, JSON.stringify({ pid: child.pid, startedAt: 'x', projects: ['other'] }));
      expect((await b.warnings())[0]).toMatch(/fires only the jobs of other/);
      // a dead pid is no daemon
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      await writeFile(lock, JSON.stringify({ pid: child.pid, startedAt: 'x', projects: null }));
      expect((await b.warnings())[0]).toMatch(/no `sched daemon` is running/);
    });
  });
});
