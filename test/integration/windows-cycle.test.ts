/**
 * The Windows backend end to end through the services, against FakeTaskScheduler: tasks kept by
 * path and stored re-serialised the way Windows does (so a task Windows rewrote must not read as
 * drift), `schtasks` outputs from recorded transcripts.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeTaskScheduler, windowsReserialise } from '../backends/windows/fake-schtasks.js';
import { InvalidConfigError, UserError } from '../../src/errors.js';
import { cycleYaml, runCycle } from './cycle.js';
import { rejection, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

const HANDMADE = `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>made by hand</Description>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>2026-01-01T03:00:00</StartBoundary>
      <ScheduleByDay>
        <DaysInterval>1</DaysInterval>
      </ScheduleByDay>
    </CalendarTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
    </Principal>
  </Principals>
  <Settings>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>C:\\Tools\\backup.exe</Command>
    </Exec>
  </Actions>
</Task>
`;

const FOLDER = '\\sched\\billing\\';
const isBilling = (name: string, xml: string) =>
  name.startsWith(FOLDER) && xml.includes('<Source>sched-managed project=billing ');

describe('windows: plan → apply → drift → destroy through the services', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup?.();
  });

  it('runs the whole cycle; other tasks untouched', async () => {
    vi.stubEnv('TZ', 'UTC'); // Task Scheduler triggers are local time: the file says UTC
    const sb = await runCycle<FakeTaskScheduler>({
      backend: 'windows',
      jobs: ['nightly-report', 'hourly-sync', 'cleanup', 'weekly-digest'],
      makeRunner: () => new FakeTaskScheduler(),
      async seedUnowned(sb) {
        sb.runner.tasks.set('\\Microsoft\\Windows\\Defrag\\ScheduledDefrag', windowsReserialise(HANDMADE));
        // In the project's folder but not written by sched: never read as ours, never deleted.
        sb.runner.tasks.set(`${FOLDER}handmade`, windowsReserialise(HANDMADE));
      },
      async foreign(sb: Sandbox<FakeTaskScheduler>) {
        return [...sb.runner.tasks.entries()]
          .filter(([name, xml]) => !isBilling(name, xml))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, xml]) => `== ${name}\n${xml}`)
          .join('\n');
      },
      async installed(sb) {
        return [...sb.runner.tasks.entries()]
          .filter(([name, xml]) => isBilling(name, xml))
          .map(([name]) => name.slice(FOLDER.length))
          .sort();
      },
      async handEdit(sb, job) {
        const name = `${FOLDER}${job}`;
        const xml = sb.runner.tasks.get(name)!;
        expect(xml).toMatch(/<StartBoundary>2000-01-01T03:00:00<\/StartBoundary>/);
        sb.runner.tasks.set(name, xml.replace('T03:00:00</StartBoundary>', 'T04:30:00</StartBoundary>'));
      },
    });
    cleanup = () => sb.cleanup();
    // Every task was created from an XML file that is gone after the apply (temp dir removed).
    const creates = sb.runner.calls.filter((c) => c[1] === '/Create');
    expect(creates.length).toBeGreaterThan(0);
    expect(creates.every((c) => c.includes('/F'))).toBe(true);
    expect(creates.filter((c) => existsSync(c[c.indexOf('/XML') + 1]!))).toEqual([]);
  });

  it('access denied: plan fails with a message and a hint, no stack trace', async () => {
    vi.stubEnv('TZ', 'UTC');
    const sb = await sandbox(
      () => new FakeTaskScheduler({ accessDenied: true }),
      cycleYaml('windows', 'billing', ['a']),
    );
    cleanup = () => sb.cleanup();
    const err = await rejection(sb.plan());
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/Access is denied/);
    expect((err as UserError).hint).toMatch(/run sched as the user who owns the tasks/);
  });

  it("refuses a job zone other than the host's at plan time", async () => {
    vi.stubEnv('TZ', 'UTC');
    const yaml = cycleYaml('windows', 'billing', ['a']).replace('  a:\n', '  a:\n    timezone: Asia/Tokyo\n');
    const sb = await sandbox(() => new FakeTaskScheduler(), yaml);
    cleanup = () => sb.cleanup();
    const err = await rejection(sb.plan());
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect((err as InvalidConfigError).diagnostics.map((d) => d.code)).toEqual(['backend-windows']);
    expect((err as InvalidConfigError).diagnostics[0]!.message).toMatch(
      /^job 'a' cannot .*(Task Scheduler|windows).*Asia\/Tokyo/,
    );
    expect(sb.runner.tasks.size).toBe(0);
  });
});
