/**
 * The launchd adapter against a fake launchd that keeps state like the real one (loaded labels,
 * plists in LaunchAgents) and answers with recorded launchctl outputs:
 * readInstalled → apply(changes) → readInstalled, for create, no-op, hand edit, unloaded agent,
 * update with the EIO after bootout, delete, foreign files, refusals.
 */
import { describe, expect, it } from 'vitest';
import { ExternalCommandError, UserError } from '../../../src/errors.js';
import type { Artifact, Backend } from '../../../src/backends/types.js';
import { diff } from './mini-plan.js';
import type { Job } from '../../../src/model/job.js';
import { LaunchdBackend, parseLaunchctlList, renderLaunchdJob } from '../../../src/backends/launchd/index.js';
import { MemoryDirFs } from '../../../src/platform/node.js';
import { transcript } from '../../fakes/transcripts.js';
import { FakeLaunchd } from './fake-launchd.js';
import { MAC_CTX, makeJob } from './job-fixture.js';

const ROOT = '/Users/ada/Library/LaunchAgents';

function setup(options: ConstructorParameters<typeof FakeLaunchd>[1] = {}) {
  const dir = new MemoryDirFs(ROOT);
  const fake = new FakeLaunchd(dir, options);
  const backend = new LaunchdBackend({ runner: fake, dir, uid: 501, retryDelayMs: 0 });
  return { dir, fake, backend };
}

function desired(backend: Backend, jobs: Job[]): Artifact[] {
  return [
    ...jobs.flatMap((j) => backend.render(j, MAC_CTX)),
    ...(backend.renderProject?.('billing', jobs, MAC_CTX) ?? []),
  ];
}

const JOBS = [
  makeJob(),
  makeJob({ name: 'sync', schedule: '*/15 9-17 * * 1-5', catchUp: false }),
  makeJob({ name: 'on-boot', schedule: 'boot' }),
];

describe('launchd adapter (fake launchd)', () => {
  it('creates, then finds nothing to change', async () => {
    const { backend, fake, dir } = setup();
    expect(await backend.readInstalled('billing')).toEqual([]);
    const want = desired(backend, JOBS);
    expect(want.map((a) => a.id).sort()).toEqual([
      'dev.sched.billing.catch-up.plist',
      'dev.sched.billing.nightly-report.plist',
      'dev.sched.billing.on-boot.plist',
      'dev.sched.billing.sync.plist',
    ]);
    await backend.apply('billing', diff(want, await backend.readInstalled('billing')));
    expect([...fake.loaded.keys()].sort()).toEqual(want.map((a) => a.id.replace(/\.plist$/, '')).sort());
    expect(fake.loaded.get('dev.sched.billing.sync')).toBe(`${ROOT}/dev.sched.billing.sync.plist`);
    const installed = await backend.readInstalled('billing');
    for (const a of installed) {
      expect(a.registered).toBe(true);
      expect(a.recordedHash).toBe(a.actualHash);
    }
    expect(diff(want, installed)).toEqual([]);
    expect((await dir.list()).length).toBe(4);
  });

  it('reads everything with ONE launchctl list', async () => {
    const { backend, fake } = setup();
    await backend.apply('billing', diff(desired(backend, JOBS), []));
    fake.calls.length = 0;
    await backend.readInstalled('billing');
    expect(fake.calls).toEqual([['launchctl', 'list']]);
  });

  it('shows a hand edit as drift and repairs it', async () => {
    const { backend, dir } = setup();
    const want = desired(backend, JOBS);
    await backend.apply('billing', diff(want, []));
    const id = 'dev.sched.billing.sync.plist';
    await dir.write(id, (await dir.read(id))!.replace('<integer>9</integer>', '<integer>10</integer>'));
    const drifted = (await backend.readInstalled('billing')).find((a) => a.id === id)!;
    expect(drifted.actualHash).not.toBe(drifted.recordedHash);
    const changes = diff(want, await backend.readInstalled('billing'));
    expect(changes.map((c) => [c.action, c.id])).toEqual([['update', id]]);
    await backend.apply('billing', changes);
    expect(diff(want, await backend.readInstalled('billing'))).toEqual([]);
  });

  it('shows an unloaded agent (file present) as registration drift and reloads it', async () => {
    const { backend, fake } = setup();
    const want = desired(backend, JOBS);
    await backend.apply('billing', diff(want, []));
    fake.loaded.delete('dev.sched.billing.nightly-report');
    const a = (await backend.readInstalled('billing')).find((x) => x.job === 'nightly-report')!;
    expect(a.registered).toBe(false);
    await backend.apply('billing', diff(want, await backend.readInstalled('billing')));
    expect(fake.loaded.has('dev.sched.billing.nightly-report')).toBe(true);
  });

  it('update: bootout, then bootstrap retried through the EIO launchd gives right after a bootout', async () => {
    const { backend, fake } = setup({ eioAfterBootout: 2 });
    await backend.apply('billing', diff(desired(backend, JOBS), []));
    const changed = [makeJob({ schedule: '0 3 * * *' }), ...JOBS.slice(1)];
    const want = desired(backend, changed);
    fake.calls.length = 0;
    await backend.apply('billing', diff(want, await backend.readInstalled('billing')));
    const verbs = fake.calls.map((c) => c[1]);
    expect(verbs.filter((v) => v === 'bootstrap').length).toBe(3); // EIO, EIO, success
    expect(diff(want, await backend.readInstalled('billing'))).toEqual([]);
    expect(fake.loaded.has('dev.sched.billing.nightly-report')).toBe(true);
  });

  it('gives up after a few EIO attempts with the command and its output', async () => {
    const { backend } = setup({ eioAfterBootout: 99 });
    await backend.apply('billing', diff(desired(backend, JOBS), []));
    const changed = [makeJob({ schedule: '0 3 * * *' })];
    const err = await backend
      .apply('billing', diff(desired(backend, changed), await backend.readInstalled('billing')))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalCommandError);
    expect((err as ExternalCommandError).message).toMatch(
      /launchctl bootstrap gui\/501 .*5: Input\/output error/,
    );
  });

  it('an already loaded label (old release: 17 File exists) is booted out and loaded again', async () => {
    const { backend, fake, dir } = setup({ oldRelease: true });
    // Loaded from an earlier install whose file was removed by hand.
    fake.loaded.set('dev.sched.billing.nightly-report', `${ROOT}/dev.sched.billing.nightly-report.plist`);
    await backend.apply(
      'billing',
      diff(desired(backend, [JOBS[0]!]), await backend.readInstalled('billing')),
    );
    expect(await dir.read('dev.sched.billing.nightly-report.plist')).toContain('sched-managed');
    expect(fake.calls.some((c) => c[1] === 'bootout')).toBe(true);
  });

  it('delete: bootout (retrying its EIO) and remove; not loaded is fine', async () => {
    const { backend, fake, dir } = setup({ bootoutEio: 2 });
    await backend.apply('billing', diff(desired(backend, JOBS), []));
    fake.loaded.delete('dev.sched.billing.on-boot'); // not loaded: bootout says "3: No such process"
    const want = desired(backend, [JOBS[0]!]);
    const changes = diff(want, await backend.readInstalled('billing'));
    expect(
      changes
        .filter((c) => c.action === 'delete')
        .map((c) => c.id)
        .sort(),
    ).toEqual(['dev.sched.billing.on-boot.plist', 'dev.sched.billing.sync.plist']);
    await backend.apply('billing', changes);
    expect(fake.loaded.has('dev.sched.billing.sync')).toBe(false);
    expect(await dir.read('dev.sched.billing.sync.plist')).toBeUndefined();
    expect(diff(want, await backend.readInstalled('billing'))).toEqual([]);
    // Destroy: nothing left.
    await backend.apply('billing', diff([], await backend.readInstalled('billing')));
    expect(await backend.readInstalled('billing')).toEqual([]);
    expect(fake.loaded.size).toBe(0);
  });

  it("never reads, changes or deletes another project's agents or foreign plists", async () => {
    const { backend, dir, fake } = setup();
    const other = renderLaunchdJob(makeJob({ project: 'billing-eu' }), MAC_CTX);
    await dir.write(other.id, other.content);
    fake.loaded.set('dev.sched.billing-eu.nightly-report', `${ROOT}/${other.id}`);
    await dir.write(
      'com.example.backup.plist',
      '<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>com.example.backup</string></dict></plist>',
    );
    await backend.apply('billing', diff(desired(backend, JOBS), await backend.readInstalled('billing')));
    await backend.apply('billing', diff([], await backend.readInstalled('billing')));
    expect(await dir.read(other.id)).toBe(other.content);
    expect(await dir.read('com.example.backup.plist')).toBeDefined();
    expect(fake.loaded.has('dev.sched.billing-eu.nightly-report')).toBe(true);
  });

  it('a plist with a sched name that sched did not write is reported without a hash and never overwritten', async () => {
    const { backend, dir } = setup();
    await dir.write(
      'dev.sched.billing.nightly-report.plist',
      '<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>dev.sched.billing.nightly-report</string></dict></plist>',
    );
    const [found] = await backend.readInstalled('billing');
    expect(found!.recordedHash).toBeUndefined();
    const a = renderLaunchdJob(JOBS[0]!, MAC_CTX);
    const err = await backend
      .apply('billing', [{ action: 'update', id: a.id, job: a.job, kind: a.kind, before: found, after: a }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/was not written by sched/);
  });

  it('refuses ids that are not this project’s agents', async () => {
    const { backend } = setup();
    const a = renderLaunchdJob(makeJob({ project: 'other' }), MAC_CTX);
    await expect(
      backend.apply('billing', [{ action: 'create', id: a.id, job: a.job, kind: a.kind, after: a }]),
    ).rejects.toThrow(/not a sched agent of project 'billing'/);
  });

  it('no GUI session: a UserError with a hint, not a stack trace', async () => {
    const { backend } = setup({ denied: true });
    const err = await backend.apply('billing', diff(desired(backend, JOBS), [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).hint).toMatch(/logged-in user/);
  });

  it('run-now is kickstart -k; a job that is not loaded says to apply', async () => {
    const { backend, fake } = setup();
    await expect(backend.runNow('billing', 'nightly-report')).rejects.toThrow(/not loaded.*/);
    await backend.apply('billing', diff(desired(backend, JOBS), []));
    await backend.runNow('billing', 'nightly-report');
    expect(fake.calls.at(-1)).toEqual([
      'launchctl',
      'kickstart',
      '-k',
      'gui/501/dev.sched.billing.nightly-report',
    ]);
    expect(await backend.printJob('billing', 'nightly-report')).toMatch(/type = LaunchAgent/);
    expect(await backend.printJob('billing', 'sync-x')).toBeUndefined();
  });

  it('detect: answers when launchctl does, says why not when it is missing', async () => {
    const { backend } = setup();
    expect((await backend.detect()).available).toBe(true);
    const missing = new LaunchdBackend({
      runner: { run: () => Promise.reject(new Error('ENOENT')) },
      dir: new MemoryDirFs(ROOT),
      uid: 501,
    });
    expect(await missing.detect()).toEqual({
      available: false,
      reason: 'launchctl was not found (not macOS)',
    });
  });

  it('parses the recorded launchctl list output', () => {
    const out = transcript('launchctl-list').stdout.replace('{rows}', '-\t0\tdev.sched.billing.sync\n');
    const m = parseLaunchctlList(out);
    expect(m.get('com.apple.Finder')).toEqual({ pid: 512, status: 0 });
    expect(m.get('com.apple.cloudphotod')).toEqual({ status: 78 });
    expect(m.has('dev.sched.billing.sync')).toBe(true);
    expect(m.has('Label')).toBe(false);
  });
});
