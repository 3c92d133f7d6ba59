/**
 * The adapter against a fake host: a MemoryDirFs for the unit directory and a Runner that keeps
 * unit state the way systemctl does (enabled/active, daemon-reload) and records every call.
 */
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../src/backends/header.js';
import { SystemdBackend, parseShowOutput, systemdUnitDir } from '../../../src/backends/systemd/adapter.js';
import { MemoryDirFs } from '../../../src/platform/node.js';
import { UserError } from '../../../src/errors.js';
import { FakeSystemctl } from '../../fakes/systemctl.js';
import { CTX, makeJob, planChanges } from './fixtures.js';

function setup(scope: 'user' | 'system' = 'user') {
  const dir = new MemoryDirFs('/home/ada/.config/systemd/user');
  const runner = FakeSystemctl.overMemory(dir);
  runner.linger = 'no';
  const backend = new SystemdBackend({ runner, dir, scope, user: 'ada' });
  return { dir, runner, backend };
}

const diff = planChanges;

describe('SystemdBackend against a fake host', () => {
  it('applies, reads back registered, and a second plan is empty', async () => {
    const { backend, runner, dir } = setup();
    const jobs = [
      makeJob({ name: 'a' }),
      makeJob({ name: 'b' }),
      makeJob({ name: 'c', schedule: { kind: 'cron', expr: '*/5 * * * *', source: '*/5 * * * *' } }),
    ];
    const wanted = jobs.flatMap((j) => backend.render(j, CTX));
    await backend.apply('billing', diff(await backend.readInstalled('billing'), wanted));
    expect([...dir.files.keys()].sort()).toEqual(wanted.map((a) => a.id).sort());
    // Exactly one daemon-reload, one enable and one restart for all three timers.
    const verbs = runner.calls.map((c) => c[2]);
    expect(verbs.filter((v) => v === 'daemon-reload')).toHaveLength(1);
    expect(runner.calls.find((c) => c[2] === 'enable')).toEqual([
      'systemctl',
      '--user',
      'enable',
      '--',
      'sched-billing-a.timer',
      'sched-billing-b.timer',
      'sched-billing-c.timer',
    ]);
    expect(runner.calls.find((c) => c[2] === 'restart')).toBeDefined();
    runner.calls.length = 0;
    const installed = await backend.readInstalled('billing');
    // One batched show for the three timers, one list-units for the three services.
    expect(runner.calls).toHaveLength(2);
    const show = runner.calls.find((c) => c[2] === 'show')!;
    expect(show.slice(0, 4)).toEqual(['systemctl', '--user', 'show', '-p']);
    expect(show.slice(show.indexOf('--') + 1)).toEqual([
      'sched-billing-a.timer',
      'sched-billing-b.timer',
      'sched-billing-c.timer',
    ]);
    expect(runner.calls.find((c) => c[2] === 'list-units')!.slice(-2)).toEqual([
      '--',
      'sched-billing-*.service',
    ]);
    expect(installed.every((a) => a.registered && a.recordedHash === a.actualHash)).toBe(true);
    expect(diff(installed, wanted)).toEqual([]);
  });

  it('reads hundreds of units with a few show calls side by side, each timer asked once', async () => {
    const { backend, runner } = setup();
    const jobs = Array.from({ length: 150 }, (_, i) => makeJob({ name: `j${i}` }));
    const wanted = jobs.flatMap((j) => backend.render(j, CTX));
    await backend.apply('billing', diff(await backend.readInstalled('billing'), wanted));
    runner.calls.length = 0;
    const installed = await backend.readInstalled('billing');
    const shows = runner.calls.filter((c) => c[2] === 'show');
    expect(shows).toHaveLength(3);
    const asked = shows.flatMap((c) => c.slice(c.indexOf('--') + 1));
    expect(asked.sort()).toEqual(
      wanted
        .filter((a) => a.kind === 'timer')
        .map((a) => a.id)
        .sort(),
    );
    expect(runner.calls.filter((c) => c[2] === 'list-units')).toHaveLength(1);
    expect(installed).toHaveLength(300);
    expect(installed.every((a) => a.registered)).toBe(true);
    expect(diff(installed, wanted)).toEqual([]);
  });

  it('detects a hand edit and registration drift, and repairs both', async () => {
    const { backend, runner, dir } = setup();
    const wanted = backend.render(makeJob({ name: 'a' }), CTX);
    await backend.apply('billing', diff([], wanted));
    dir.files.get('sched-billing-a.service')!.content += 'Nice=5\n';
    runner.enabled.delete('sched-billing-a.timer');
    const installed = await backend.readInstalled('billing');
    const svc = installed.find((a) => a.id === 'sched-billing-a.service')!;
    expect(svc.actualHash).not.toBe(svc.recordedHash); // the hand edit shows as drift
    expect(installed.find((a) => a.id === 'sched-billing-a.timer')!.registered).toBe(false);
    await backend.apply('billing', diff(installed, wanted));
    expect(diff(await backend.readInstalled('billing'), wanted)).toEqual([]);
  });

  it('an apply stopped between its file writes and the reload leaves every unit unregistered until an apply reloads', async () => {
    const { backend, runner, dir } = setup();
    const first = backend.render(makeJob({ name: 'a' }), CTX);
    await backend.apply('billing', diff([], first));
    // A changed service file whose daemon-reload never happened (the apply was killed there).
    const wanted = backend.render(makeJob({ name: 'a', description: 'nightly report' }), CTX);
    runner.failOnce = 'daemon-reload';
    await expect(
      backend.apply('billing', diff(await backend.readInstalled('billing'), wanted)),
    ).rejects.toThrow();
    const stopped = await backend.readInstalled('billing');
    expect(stopped.every((a) => a.recordedHash === a.actualHash)).toBe(true); // the files are new…
    expect(stopped.every((a) => !a.registered)).toBe(true); // …but the manager holds the old units
    const repair = diff(stopped, wanted);
    expect(repair.length).toBeGreaterThan(0);
    await backend.apply('billing', repair);
    expect(diff(await backend.readInstalled('billing'), wanted)).toEqual([]);
    expect([...dir.files.keys()].some((n) => n.startsWith('.'))).toBe(false);
  });

  it('deletes: disable --now before removing, then one reload; idempotent', async () => {
    const { backend, runner, dir } = setup();
    const wanted = backend.render(makeJob({ name: 'a' }), CTX);
    await backend.apply('billing', diff([], wanted));
    const changes = diff(await backend.readInstalled('billing'), []);
    runner.calls.length = 0;
    expect(changes.map((c) => c.action)).toEqual(['delete', 'delete']);
    await backend.apply('billing', changes);
    expect(runner.calls.map((c) => c[2])).toEqual(['disable', 'daemon-reload']);
    expect(runner.calls[0]).toEqual([
      'systemctl',
      '--user',
      'disable',
      '--now',
      '--',
      'sched-billing-a.timer',
    ]);
    expect(dir.files.size).toBe(0);
    // Applying the same changes again is harmless.
    await backend.apply('billing', changes);
    expect(dir.files.size).toBe(0);
  });

  it('reads only this project: prefix clashes are decided by the header', async () => {
    const a = setup();
    const wantedAB = a.backend.render(makeJob({ project: 'a-b', name: 'x' }), CTX);
    await a.backend.apply('a-b', diff([], wantedAB));
    const wantedA = a.backend.render(makeJob({ project: 'a', name: 'y' }), CTX);
    await a.backend.apply('a', diff(await a.backend.readInstalled('a'), wantedA));
    const installedA = await a.backend.readInstalled('a');
    // Project a-b's files match the 'sched-a-' prefix but are not a's: reported without a recorded hash.
    const foreign = installedA
      .filter((x) => x.recordedHash === undefined)
      .map((x) => x.id)
      .sort();
    expect(foreign).toEqual(['sched-a-b-x.service', 'sched-a-b-x.timer']);
    // …so a plan for a never deletes them, and apply refuses to touch them even if asked.
    expect(diff(installedA, wantedA)).toEqual([]);
    await expect(
      a.backend.apply('a', [{ action: 'delete', id: 'sched-a-b-x.timer', job: 'b-x', kind: 'timer' }]),
    ).rejects.toThrow(UserError);
    expect(a.dir.files.has('sched-a-b-x.timer')).toBe(true);
    const installedAB = await a.backend.readInstalled('a-b');
    expect(installedAB.map((x) => x.id).sort()).toEqual(['sched-a-b-x.service', 'sched-a-b-x.timer']);
    expect(installedAB.every((x) => x.recordedHash !== undefined)).toBe(true);
  });

  it('reports a file with our name but no header as a clash, and never overwrites it', async () => {
    const { backend, dir } = setup();
    const handWritten = '[Timer]\nOnCalendar=daily\n';
    await dir.write('sched-billing-a.timer', handWritten);
    await dir.write('other.timer', '[Timer]\nOnCalendar=weekly\n');
    const installed = await backend.readInstalled('billing');
    expect(installed).toEqual([
      {
        id: 'sched-billing-a.timer',
        job: 'a',
        kind: 'timer',
        content: handWritten,
        recordedHash: undefined,
        actualHash: contentHash(handWritten),
        registered: false,
      },
    ]);
    const [, timer] = backend.render(makeJob({ name: 'a' }), CTX);
    await expect(
      backend.apply('billing', [{ action: 'update', id: timer!.id, job: 'a', kind: 'timer', after: timer! }]),
    ).rejects.toThrow(/not written by sched/);
    expect(dir.files.get('sched-billing-a.timer')!.content).toBe(handWritten);
    expect(dir.files.get('other.timer')!.content).toBe('[Timer]\nOnCalendar=weekly\n');
  });

  it('does not query systemctl when nothing is installed', async () => {
    const { backend, runner } = setup();
    expect(await backend.readInstalled('billing')).toEqual([]);
    expect(runner.calls).toEqual([]);
  });

  it('system scope uses plain systemctl and OnBootSec', async () => {
    const { backend, runner } = setup('system');
    const wanted = backend.render(
      makeJob({ name: 'boot', schedule: { kind: 'event', event: 'boot', source: 'boot' } }),
      CTX,
    );
    expect(wanted[1]!.content).toMatch(/^OnBootSec=0$/m);
    await backend.apply('billing', diff([], wanted));
    expect(runner.calls.every((c) => c[1] !== '--user')).toBe(true);
    expect(systemdUnitDir('system')).toBe('/etc/systemd/system');
    expect(systemdUnitDir('user', '/home/ada', {})).toBe('/home/ada/.config/systemd/user');
    expect(await backend.warnings()).toEqual([]);
  });

  it('detect, warnings (lingering) and runNow', async () => {
    const { backend, runner } = setup();
    expect(await backend.detect()).toEqual({
      available: true,
      reason: 'the systemd user manager answers (running)',
    });
    expect((await backend.warnings())[0]).toMatch(
      /lingering is off for user 'ada'.*loginctl enable-linger ada/,
    );
    runner.linger = 'yes';
    expect(await backend.warnings()).toEqual([]);
    await backend.runNow('billing', 'a');
    expect(runner.calls.at(-1)).toEqual([
      'systemctl',
      '--user',
      'start',
      '--no-block',
      '--',
      'sched-billing-a.service',
    ]);
  });

  it('detect: no systemctl, or no user manager', async () => {
    const missing = new SystemdBackend({
      runner: { run: () => Promise.reject(new Error('ENOENT')) },
      dir: new MemoryDirFs(),
      scope: 'user',
    });
    expect(await missing.detect()).toEqual({ available: false, reason: 'systemctl was not found' });
    const noBus = new SystemdBackend({
      runner: {
        run: async () => ({
          exitCode: 1,
          stdout: 'offline\n',
          stderr: 'Failed to connect to bus: No medium found\n',
        }),
      },
      dir: new MemoryDirFs(),
      scope: 'user',
    });
    expect(await noBus.detect()).toEqual({
      available: false,
      reason: 'the systemd user manager does not answer: Failed to connect to bus: No medium found',
    });
    // warnings tolerate a missing loginctl
    expect(await missing.warnings()).toEqual([]);
  });

  it('notes for plan: clock changes (compensated, and until when) and boot timers', () => {
    const { backend } = setup();
    const from = new Date('2026-01-01T00:00:00Z');
    const daily = backend.notes(
      makeJob({ name: 'd', schedule: { kind: 'cron', expr: '30 2 * * *', source: '30 2 * * *' } }),
      from,
    );
    // 2026-03-29: 02:30 does not exist in Berlin; the timer runs it after the jump, as Debian cron.
    // 2026-10-25: 02:30 repeats; once, in the first pass, as Debian cron.
    expect(daily).toHaveLength(3);
    expect(daily[0]).toMatch(
      /^the 2026-03-29 02:30 run falls in the DST gap \(Europe\/Berlin\): the systemd timer runs it once right after the jump/,
    );
    expect(daily[1]).toMatch(
      /^the 2026-10-25 02:30 run falls in the repeated DST hour .*: the systemd timer runs it once, in the first pass/,
    );
    expect(daily[2]).toMatch(
      /^clock changes compensated until 2040-01-01: the timer has 15 explicit OnCalendar= lines/,
    );
    expect(daily[2]).toMatch(/renews them from 2030-01-01$/);
    expect(backend.notes(makeJob({ timezone: 'UTC' }), from)).toEqual([]);
    expect(
      backend.notes(
        makeJob({ enabled: false, schedule: { kind: 'cron', expr: '30 2 * * *', source: '' } }),
        from,
      ),
    ).toEqual([]);
    const boot = backend.notes(
      makeJob({ name: 'b', schedule: { kind: 'event', event: 'boot', source: 'boot' } }),
      from,
    );
    expect(boot[0]).toMatch(/also runs it once now/);
  });

  it('parses systemctl show blocks', () => {
    expect(parseShowOutput('Id=a.timer\nActiveState=active\n\nId=b.timer\nActiveState=inactive\n')).toEqual([
      { Id: 'a.timer', ActiveState: 'active' },
      { Id: 'b.timer', ActiveState: 'inactive' },
    ]);
  });
});

describe('the wake listener as a managed unit', () => {
  const wake = makeJob({ name: 'resync', schedule: { kind: 'event', event: 'wake', source: 'wake' } });
  const listener = 'sched-billing--wake.service';

  it('is rendered for the project, started and enabled, read back registered only while active', async () => {
    const { backend, runner, dir } = setup();
    const wanted = [...backend.render(wake, CTX), ...backend.renderProject('billing', [wake], CTX)];
    expect(wanted.map((a) => a.id)).toContain(listener);
    await backend.apply('billing', diff(await backend.readInstalled('billing'), wanted));
    expect(dir.files.has(listener)).toBe(true);
    expect(runner.calls.find((c) => c[2] === 'enable')).toContain(listener);
    expect(runner.calls.find((c) => c[2] === 'restart')).toContain(listener);
    let found = (await backend.readInstalled('billing')).find((a) => a.id === listener)!;
    expect(found).toMatchObject({ job: '', kind: 'wake listener', registered: true });
    expect(diff(await backend.readInstalled('billing'), wanted)).toEqual([]);

    // It failed (the bus is gone): not registered, so plan shows drift and apply restarts it.
    runner.active.delete(listener);
    found = (await backend.readInstalled('billing')).find((a) => a.id === listener)!;
    expect(found.registered).toBe(false);

    // No wake job left: stopped and disabled before its file is removed.
    runner.active.add(listener);
    runner.calls.length = 0;
    await backend.apply('billing', diff(await backend.readInstalled('billing'), []));
    expect(runner.calls.find((c) => c[2] === 'disable')).toEqual(expect.arrayContaining(['--now', listener]));
    expect(runner.active.has(listener)).toBe(false);
    expect(dir.files.has(listener)).toBe(false);
  });

  it("a job unit of a project named '<project>-' is not taken for the listener", async () => {
    const { backend } = setup();
    const other = makeJob({ project: 'billing-', name: 'wake' });
    const wanted = backend.render(other, CTX);
    expect(wanted.map((a) => a.id)).toContain(listener);
    await backend.apply('billing-', diff(await backend.readInstalled('billing-'), wanted));
    const mine = await backend.readInstalled('billing-');
    expect(mine.find((a) => a.id === listener)).toMatchObject({
      job: 'wake',
      kind: 'service',
      registered: true,
    });
    // For project billing it is someone else's file: never ours, never deleted.
    const theirs = (await backend.readInstalled('billing')).find((a) => a.id === listener);
    expect(theirs?.recordedHash).toBeUndefined();
  });
});
