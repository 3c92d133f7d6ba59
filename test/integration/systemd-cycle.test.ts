/**
 * The systemd backend end to end through the services: unit files in a REAL temp directory
 * ($HOME/.config/systemd/user), `systemctl --user` answered by a fake that keeps loaded, enabled
 * and active state. Another project's units and hand-made units (one with a sched-like name)
 * survive every step.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REASONS } from '../../src/plan/types.js';
import { cycleYaml, runCycle } from './cycle.js';
import { actions, expectNoChanges, FakeSystemctl, put, reasonsOf, rejection, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

const unitDir = (home: string) => path.join(home, '.config', 'systemd', 'user');

async function units(sb: Sandbox<FakeSystemctl>): Promise<Map<string, string>> {
  const dir = unitDir(sb.dir);
  const out = new Map<string, string>();
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort())
    out.set(name, await readFile(path.join(dir, name), 'utf8'));
  return out;
}

const isBilling = (content: string) => content.startsWith('# sched-managed project=billing ');

describe('systemd: plan → apply → drift → destroy through the services', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup?.();
  });

  it('runs the whole cycle; foreign units untouched', async () => {
    vi.stubEnv('TZ', 'UTC');
    const sb = await runCycle<FakeSystemctl>({
      backend: 'systemd',
      jobs: ['nightly-report', 'hourly-sync', 'cleanup', 'weekly-digest'],
      makeRunner: (home) => FakeSystemctl.overDirectory(unitDir(home)),
      async seedUnowned(sb) {
        const dir = unitDir(sb.dir);
        await put(
          path.join(dir, 'backup.timer'),
          '[Timer]\nOnCalendar=daily\n\n[Install]\nWantedBy=timers.target\n',
        );
        await put(path.join(dir, 'backup.service'), '[Service]\nExecStart=/usr/local/bin/backup\n');
        // A sched-like name sched did not write: never read as ours, never deleted.
        await put(path.join(dir, 'sched-billing-handmade.timer'), '[Timer]\nOnCalendar=hourly\n');
        await sb.runner.run('systemctl', ['--user', 'daemon-reload']);
        await sb.runner.run('systemctl', [
          '--user',
          'enable',
          '--',
          'backup.timer',
          'sched-billing-handmade.timer',
        ]);
        await sb.runner.run('systemctl', [
          '--user',
          'start',
          '--',
          'backup.timer',
          'sched-billing-handmade.timer',
        ]);
      },
      async foreign(sb) {
        const lines: string[] = [];
        for (const [name, content] of await units(sb)) {
          if (isBilling(content)) continue;
          const state = `${sb.runner.enabled.has(name) ? 'enabled' : '-'} ${sb.runner.active.has(name) ? 'active' : '-'}`;
          lines.push(`== ${name} ${state}\n${content}`);
        }
        return lines.join('\n');
      },
      async installed(sb) {
        const jobs: string[] = [];
        for (const [name, content] of await units(sb)) {
          if (!isBilling(content) || !name.endsWith('.timer')) continue;
          const job = name.slice('sched-billing-'.length, -'.timer'.length);
          // A timer counts as installed only when the service is beside it and it is running.
          expect((await units(sb)).has(`sched-billing-${job}.service`)).toBe(true);
          expect(sb.runner.enabled.has(name) && sb.runner.active.has(name)).toBe(true);
          expect(sb.runner.loaded.get(name)).toBe(content);
          jobs.push(job);
        }
        return jobs.sort();
      },
      async handEdit(sb, job) {
        const file = path.join(unitDir(sb.dir), `sched-billing-${job}.timer`);
        const text = await readFile(file, 'utf8');
        expect(text).toMatch(/^OnCalendar=/m);
        await writeFile(file, text.replace(/^OnCalendar=.*$/m, 'OnCalendar=*-*-* 23:59:00 UTC'));
      },
    });
    cleanup = () => sb.cleanup();
    // One daemon-reload per apply, never per job: the cycle applies 7 times (payroll, create,
    // repair, removal, saved plan, fresh apply, destroy), plus the seeding reload.
    expect(sb.runner.calls.filter((c) => c.includes('daemon-reload'))).toHaveLength(8);
    expect([...(await units(sb)).keys()].filter((n) => n.startsWith('sched-billing-'))).toEqual([
      'sched-billing-handmade.timer',
    ]);
  });

  it('shows a disabled timer as registration drift and re-enables it', async () => {
    vi.stubEnv('TZ', 'UTC');
    const sb = await sandbox(
      (home) => FakeSystemctl.overDirectory(unitDir(home)),
      cycleYaml('systemd', 'billing', ['a', 'b', 'c']),
    );
    cleanup = () => sb.cleanup();
    await sb.apply();
    expectNoChanges((await sb.plan()).plan);
    await sb.runner.run('systemctl', ['--user', 'disable', '--now', '--', 'sched-billing-b.timer']);
    const drift = (await sb.plan()).plan;
    expect(actions(drift)).toEqual({ b: 'update' });
    expect(reasonsOf(drift, 'b')).toEqual([REASONS.notRegistered]);
    // Nothing to diff: the file is as sched wrote it.
    const timer = drift.jobs.find((j) => j.job === 'b')!.changes.find((c) => c.kind === 'timer')!;
    expect(timer.before!.content).toBe(timer.after!.content);
    await sb.apply();
    expect(
      sb.runner.enabled.has('sched-billing-b.timer') && sb.runner.active.has('sched-billing-b.timer'),
    ).toBe(true);
    expectNoChanges((await sb.plan()).plan);
  });

  it('plans a lingering warning when linger is off', async () => {
    vi.stubEnv('TZ', 'UTC');
    const sb = await sandbox(
      (home) => FakeSystemctl.overDirectory(unitDir(home)),
      cycleYaml('systemd', 'billing', ['a']),
    );
    cleanup = () => sb.cleanup();
    sb.runner.linger = 'no';
    const { plan } = await sb.plan();
    expect(plan.warnings.join('\n')).toMatch(/lingering is off for user '[^']+': user timers stop at logout/);
  });

  it('shows a deleted unit file as missing and recreates it', async () => {
    vi.stubEnv('TZ', 'UTC');
    const sb = await sandbox(
      (home) => FakeSystemctl.overDirectory(unitDir(home)),
      cycleYaml('systemd', 'billing', ['a', 'b', 'c']),
    );
    cleanup = () => sb.cleanup();
    await sb.apply();
    await rm(path.join(unitDir(sb.dir), 'sched-billing-c.service'));
    const plan = (await sb.plan()).plan;
    // Only the lost file is created again; "missing", not "new": the job had been applied, and
    // the rest of it is installed, so this changes job c rather than adding it.
    expect(actions(plan)).toEqual({ c: 'update' });
    expect(plan.summary).toEqual({ add: 0, change: 1, delete: 0 });
    expect(reasonsOf(plan, 'c')).toEqual([REASONS.missing]);
    const change = plan.jobs.find((j) => j.job === 'c')!.changes;
    expect(change.map((c) => `${c.action} ${c.id}`)).toEqual(['create sched-billing-c.service']);
    await sb.apply();
    expectNoChanges((await sb.plan()).plan);
  });

  it('finishes an apply that failed half-way: the next plan shows what is left', async () => {
    vi.stubEnv('TZ', 'UTC');
    const sb = await sandbox(
      (home) => FakeSystemctl.overDirectory(unitDir(home)),
      cycleYaml('systemd', 'billing', ['a', 'b', 'c']),
    );
    cleanup = () => sb.cleanup();
    sb.runner.failOnce = 'enable';
    const err = await rejection(sb.apply());
    expect(err.message).toMatch(/systemctl --user enable/);
    expect(err.message).toMatch(/Transport endpoint is not connected/);
    // Files and specs were written, but no timer is enabled: registration drift, not "new".
    const left = (await sb.plan()).plan;
    expect(actions(left)).toEqual({ a: 'update', b: 'update', c: 'update' });
    for (const j of ['a', 'b', 'c']) expect(reasonsOf(left, j)).toEqual([REASONS.notRegistered]);
    await sb.apply();
    expectNoChanges((await sb.plan()).plan);
    for (const j of ['a', 'b', 'c']) expect(sb.runner.active.has(`sched-billing-${j}.timer`)).toBe(true);
  });
});
