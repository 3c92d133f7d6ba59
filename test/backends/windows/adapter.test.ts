/**
 * The Windows adapter against a fake Task Scheduler that keeps tasks by path, re-serialises
 * them like Windows does, and answers with recorded schtasks outputs:
 * readInstalled → apply(changes) → readInstalled for create, no-op (despite re-serialisation),
 * hand edit, delete, foreign tasks, refusals.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExternalCommandError, UserError } from '../../../src/errors.js';
import type { Artifact, Backend } from '../../../src/backends/types.js';
import type { Job } from '../../../src/model/job.js';
import { renderWindowsJob, splitTasksDocument, WindowsBackend } from '../../../src/backends/windows/index.js';
import { diff } from '../launchd/mini-plan.js';
import { WIN_CTX, makeJob } from '../launchd/job-fixture.js';
import { FakeTaskScheduler, windowsReserialise } from './fake-schtasks.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sched-win-adapter-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function setup(options: ConstructorParameters<typeof FakeTaskScheduler>[0] = {}) {
  const fake = new FakeTaskScheduler(options);
  const tempDir = mkdtempSync(path.join(tmp, 't-'));
  const backend = new WindowsBackend({ runner: fake, tempDir });
  return { fake, backend, tempDir };
}

function desired(backend: Backend, jobs: Job[]): Artifact[] {
  return jobs.flatMap((j) => backend.render(j, WIN_CTX));
}

const JOBS = [
  makeJob(),
  makeJob({ name: 'sync', schedule: '*/15 9-17 * * 1-5', overlap: 'queue' }),
  makeJob({ name: 'on-boot', schedule: 'boot' }),
];

describe('Windows adapter (fake Task Scheduler)', () => {
  it('creates, then finds nothing to change although Windows re-serialised every task', async () => {
    const { backend, fake, tempDir } = setup();
    expect(await backend.readInstalled('billing')).toEqual([]);
    const want = desired(backend, JOBS);
    await backend.apply('billing', diff(want, await backend.readInstalled('billing')));
    expect([...fake.tasks.keys()].sort()).toEqual([
      '\\sched\\billing\\nightly-report',
      '\\sched\\billing\\on-boot',
      '\\sched\\billing\\sync',
    ]);
    expect(fake.tasks.get('\\sched\\billing\\sync')).toContain('<Author>');
    const installed = await backend.readInstalled('billing');
    for (const a of installed) {
      expect(a.registered).toBe(true);
      expect(a.recordedHash).toBe(a.actualHash);
      // Shown in plan diffs: the same text sched rendered, despite Windows' re-serialisation.
      expect(a.content).toBe(want.find((w) => w.id === a.id)!.content);
    }
    expect(diff(want, installed)).toEqual([]);
    // The XML files handed to schtasks are cleaned up.
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('creates with /Create /XML FILE /TN \\sched\\<project>\\<job> /F and reads with ONE /Query /XML', async () => {
    const { backend, fake } = setup();
    await backend.apply('billing', diff(desired(backend, [JOBS[0]!]), []));
    const create = fake.calls.find((c) => c.includes('/Create'))!;
    expect(create.slice(0, 3)).toEqual(['schtasks', '/Create', '/XML']);
    expect(create.slice(4)).toEqual(['/TN', '\\sched\\billing\\nightly-report', '/F']);
    fake.calls.length = 0;
    await backend.readInstalled('billing');
    expect(fake.calls).toEqual([['schtasks', '/Query', '/XML']]);
  });

  it('shows a hand edit as drift and repairs it', async () => {
    const { backend, fake } = setup();
    const want = desired(backend, JOBS);
    await backend.apply('billing', diff(want, []));
    const name = '\\sched\\billing\\sync';
    fake.tasks.set(
      name,
      fake.tasks.get(name)!.replace('<MultipleInstancesPolicy>Queue', '<MultipleInstancesPolicy>Parallel'),
    );
    const changes = diff(want, await backend.readInstalled('billing'));
    expect(changes.map((c) => [c.action, c.id])).toEqual([['update', 'sync.xml']]);
    await backend.apply('billing', changes);
    expect(diff(want, await backend.readInstalled('billing'))).toEqual([]);
  });

  it('updates a changed job and deletes a removed one; destroy leaves nothing', async () => {
    const { backend, fake } = setup();
    await backend.apply('billing', diff(desired(backend, JOBS), []));
    const want = desired(backend, [makeJob({ schedule: '0 3 * * *' })]);
    const changes = diff(want, await backend.readInstalled('billing'));
    expect(changes.map((c) => [c.action, c.id]).sort()).toEqual([
      ['delete', 'on-boot.xml'],
      ['delete', 'sync.xml'],
      ['update', 'nightly-report.xml'],
    ]);
    await backend.apply('billing', changes);
    expect([...fake.tasks.keys()]).toEqual(['\\sched\\billing\\nightly-report']);
    expect(fake.tasks.get('\\sched\\billing\\nightly-report')).toContain('T03:00:00');
    await backend.apply('billing', diff([], await backend.readInstalled('billing')));
    expect(fake.tasks.size).toBe(0);
  });

  it('deleting a task that is already gone is fine (idempotent)', async () => {
    const { backend, fake } = setup();
    await backend.apply('billing', diff(desired(backend, [JOBS[0]!]), []));
    const installed = await backend.readInstalled('billing');
    fake.tasks.clear();
    await backend.apply('billing', diff([], installed));
    expect(fake.calls.at(-1)).toEqual([
      'schtasks',
      '/Delete',
      '/TN',
      '\\sched\\billing\\nightly-report',
      '/F',
    ]);
  });

  it("never touches other projects' tasks or tasks outside \\sched\\", async () => {
    const { backend, fake } = setup();
    const other = renderWindowsJob(makeJob({ project: 'billing-eu' }), WIN_CTX);
    fake.tasks.set('\\sched\\billing-eu\\nightly-report', windowsReserialise(other.content));
    fake.tasks.set('\\Microsoft\\Windows\\Defrag\\ScheduledDefrag', windowsReserialise(other.content));
    await backend.apply('billing', diff(desired(backend, JOBS), await backend.readInstalled('billing')));
    expect((await backend.readInstalled('billing')).map((a) => a.job).sort()).toEqual([
      'nightly-report',
      'on-boot',
      'sync',
    ]);
    await backend.apply('billing', diff([], await backend.readInstalled('billing')));
    expect([...fake.tasks.keys()].sort()).toEqual([
      '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag',
      '\\sched\\billing-eu\\nightly-report',
    ]);
  });

  it('a task in \\sched\\<project>\\ that sched did not write: no hash, never replaced', async () => {
    const { backend, fake } = setup();
    const foreign = windowsReserialise(renderWindowsJob(makeJob(), WIN_CTX).content).replace(
      /<Source>.*<\/Source>/,
      '',
    );
    fake.tasks.set('\\sched\\billing\\nightly-report', foreign);
    const [found] = await backend.readInstalled('billing');
    expect(found!.recordedHash).toBeUndefined();
    const a = renderWindowsJob(makeJob(), WIN_CTX);
    const err = await backend
      .apply('billing', [{ action: 'update', id: a.id, job: a.job, kind: a.kind, before: found, after: a }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/was not written by sched/);
    expect(fake.tasks.get('\\sched\\billing\\nightly-report')).toBe(foreign);
  });

  it('access denied: a UserError with a hint', async () => {
    const { backend } = setup({ accessDenied: true });
    const err = await backend.readInstalled('billing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/Access is denied/);
    expect((err as UserError).hint).toMatch(/current user/);
  });

  it('malformed XML: the command, exit code and schtasks message', async () => {
    const { backend } = setup();
    const a = renderWindowsJob(makeJob(), WIN_CTX);
    const broken = { ...a, content: a.content.replace('</Task>', '') };
    const err = await backend
      .apply('billing', [{ action: 'create', id: a.id, job: a.job, kind: a.kind, after: broken }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalCommandError);
    expect((err as ExternalCommandError).stderr).toMatch(/The task XML is malformed/);
    expect((err as ExternalCommandError).command.slice(0, 2)).toEqual(['schtasks', '/Create']);
  });

  it('run-now is /Run; a missing task says to apply; /Query /XML ONE reads one task', async () => {
    const { backend, fake } = setup();
    await expect(backend.runNow('billing', 'nightly-report')).rejects.toThrow(/has no task/);
    expect(await backend.queryTask('billing', 'nightly-report')).toBeUndefined();
    await backend.apply('billing', diff(desired(backend, [JOBS[0]!]), []));
    await backend.runNow('billing', 'nightly-report');
    expect(fake.started).toEqual(['\\sched\\billing\\nightly-report']);
    expect(await backend.queryTask('billing', 'nightly-report')).toContain('<Author>');
  });

  it('detect: answers when schtasks does, says why not when it is missing', async () => {
    const { backend } = setup();
    expect(await backend.detect()).toEqual({ available: true, reason: 'schtasks answers' });
    const missing = new WindowsBackend({
      runner: { run: () => Promise.reject(new Error('ENOENT')) },
      tempDir: tmp,
    });
    expect(await missing.detect()).toEqual({
      available: false,
      reason: 'schtasks was not found (not Windows)',
    });
  });

  it('splits a /Query /XML document into tasks by path', () => {
    const doc =
      '<?xml version="1.0" encoding="UTF-16"?>\r\n<Tasks>\r\n  <!-- \\A -->\r\n<Task version="1.2"><Actions /></Task>\r\n  <!-- \\sched\\p\\j -->\r\n<Task version="1.3"><Actions /></Task>\r\n</Tasks>';
    expect([...splitTasksDocument(doc).entries()]).toEqual([
      ['\\A', '<Task version="1.2"><Actions /></Task>'],
      ['\\sched\\p\\j', '<Task version="1.3"><Actions /></Task>'],
    ]);
  });
});
