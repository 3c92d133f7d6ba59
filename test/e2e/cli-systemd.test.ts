/**
 * The whole plan/apply/destroy cycle through the sched CLI against a real systemd user manager
 * (issue 3's "done when"): timers listed with the right next elapse, a job really firing with its
 * argv intact, hand edits seen and repaired, removals, destroy, and a foreign unit left alone.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystemdUser, systemdUserSkipReason, type Harness } from './helpers/systemd-user.js';
import { cliSkipReason, sched } from './helpers/cli.js';

const skip = systemdUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e CLI on real systemd: ${skip}`);

/** Arguments that break naive quoting in unit files and shells. */
const NASTY_ARGS = [
  `it's "quoted"`,
  '100% sure',
  '$HOME and ${PATH}',
  'back\\slash\\n',
  'tab\there',
  'ünïcødé ✓',
];

function yamlFor(outFile: string, jobs: string[]): string {
  const all: Record<string, string> = {
    'every-minute': `
  every-minute:
    description: Writes its argv so the test can compare it
    schedule: "* * * * *"
    command: ${JSON.stringify([process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(process.argv.slice(1)))`, ...NASTY_ARGS])}`,
    nightly: `
  nightly:
    schedule: "30 2 * * *"
    timezone: Europe/Berlin
    command: ["true"]`,
    weekdays: `
  weekdays:
    schedule: weekday
    timezone: America/New_York
    command: echo weekday`,
    'first-or-friday': `
  first-or-friday:
    schedule: "0 0 1,15 * 5"
    timezone: UTC
    command: ["true"]
    catch_up: true`,
  };
  return `version: 1\nproject: e2e\nbackend: systemd\njobs:${jobs.map((j) => all[j]).join('')}\n`;
}

describe.skipIf(skip)('sched CLI on a real systemd user manager', () => {
  let h: Harness;
  let file: string;
  let outFile: string;
  const cli = (args: string[]) => sched(h.exec, args);

  beforeAll(async () => {
    h = await startSystemdUser();
    file = path.join(h.root, 'schedules.yaml');
    outFile = path.join(h.root, 'argv.json');
    await writeFile(path.join(h.unitDir, 'foreign.timer'), '[Timer]\nOnCalendar=daily\n');
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function unitNames(): Promise<string[]> {
    const r = await h.exec('ls', [h.unitDir]);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('plans four new jobs, applies them, and a second plan shows no changes', async () => {
    await writeFile(file, yamlFor(outFile, ['every-minute', 'nightly', 'weekdays', 'first-or-friday']));
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('+ every-minute (new)');
    expect(plan.stdout).toContain('Plan: 4 to add, 0 to change, 0 to delete.');

    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.stderr).not.toMatch(/Error/);
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 4 added, 0 changed, 0 deleted.');

    const again = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    expect(again.exitCode).toBe(0);
  });

  it('lists every timer with its next elapse equal to `sched next`', async () => {
    for (const job of ['nightly', 'weekdays', 'first-or-friday', 'every-minute']) {
      const unit = `sched-e2e-${job}.timer`;
      let systemdNext: number | undefined;
      let schedNext: number | undefined;
      let shown = '';
      // The every-minute timer may be elapsing right now, while systemd recomputes its next
      // elapse: compare again a moment later. A real disagreement fails every attempt.
      for (let attempt = 0; attempt < 5; attempt++) {
        const from = new Date().toISOString();
        const r = await h.exec('systemctl', [
          '--user',
          'show',
          unit,
          '-p',
          'NextElapseUSecRealtime,ActiveState,UnitFileState',
        ]);
        shown = r.stdout;
        expect(shown).toContain('ActiveState=active');
        expect(shown).toContain('UnitFileState=enabled');
        // The harness runs with TZ=UTC, so systemctl prints e.g. `Mon 2026-11-23 01:30:00 UTC`.
        const elapse = /NextElapseUSecRealtime=\w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/.exec(shown);
        systemdNext = elapse ? Date.parse(`${elapse[1]}T${elapse[2]}Z`) : undefined;
        const next = await cli(['next', job, '-f', file, '--count', '1', '--json', '--from', from]);
        expect(next.exitCode, next.stderr).toBe(0);
        schedNext = Date.parse((JSON.parse(next.stdout) as { next_runs: string[] }).next_runs[0]!);
        if (systemdNext === schedNext) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(systemdNext, shown).toBe(schedNext);
    }
    const timers = await h.exec('systemctl', ['--user', 'list-timers', '--all', '--no-pager']);
    for (const job of ['nightly', 'weekdays', 'first-or-friday', 'every-minute'])
      expect(timers.stdout).toContain(`sched-e2e-${job}.timer`);
  });

  it('really fires the every-minute job through sched run with its argv intact', async () => {
    const deadline = Date.now() + 75_000;
    let text: string | undefined;
    while (Date.now() < deadline && text === undefined) {
      await new Promise((r) => setTimeout(r, 1000));
      text = await readFile(outFile, 'utf8').catch(() => undefined);
    }
    if (text === undefined) {
      const status = await h.exec('systemctl', [
        '--user',
        'status',
        'sched-e2e-every-minute.service',
        '--no-pager',
      ]);
      const history = await cli(['history', 'every-minute', '--project', 'e2e', '--json']);
      const logs = await cli(['logs', 'every-minute', '--project', 'e2e', '-n', '20']);
      expect.fail(
        `the job did not fire within 75 s\n${status.stdout}\n${history.stdout}${history.stderr}\n${logs.stdout}${logs.stderr}`,
      );
    }
    expect(JSON.parse(text!)).toEqual(NASTY_ARGS);
  }, 90_000);

  it('sees a hand edit as drift and repairs it', async () => {
    const unit = path.join(h.unitDir, 'sched-e2e-nightly.timer');
    const original = await readFile(unit, 'utf8');
    await writeFile(unit, original.replace('AccuracySec=1s', 'AccuracySec=5min'));
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('~ nightly (edited by hand)');
    expect(plan.stdout).toContain('-AccuracySec=5min');
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(await readFile(unit, 'utf8')).toBe(original);
    expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('sees a disabled timer as drift and re-enables it', async () => {
    await h.exec('systemctl', ['--user', 'disable', '--now', 'sched-e2e-weekdays.timer']);
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('~ weekdays (not enabled or not loaded)');
    expect((await cli(['apply', '-f', file, '--auto-approve'])).exitCode).toBe(0);
    const shown = await h.exec('systemctl', ['--user', 'is-active', 'sched-e2e-weekdays.timer']);
    expect(shown.stdout.trim()).toBe('active');
  });

  it('removes the units of a job removed from the file', async () => {
    await writeFile(file, yamlFor(outFile, ['nightly', 'weekdays', 'first-or-friday']));
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.stdout).toContain('- every-minute (removed from the file)');
    expect(apply.stdout).toContain('Apply complete: 0 added, 0 changed, 1 deleted.');
    expect(await unitNames()).not.toContain('sched-e2e-every-minute.timer');
    const active = await h.exec('systemctl', ['--user', 'is-active', 'sched-e2e-every-minute.timer']);
    expect(active.stdout.trim()).not.toBe('active');
  });

  it('destroy leaves nothing of the project, and the foreign unit is untouched', async () => {
    const destroy = await cli(['destroy', '-f', file, '--auto-approve']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(await unitNames()).toEqual(['foreign.timer']);
    expect(await readFile(path.join(h.unitDir, 'foreign.timer'), 'utf8')).toBe('[Timer]\nOnCalendar=daily\n');
    const timers = await h.exec('systemctl', ['--user', 'list-timers', '--all', '--no-pager']);
    expect(timers.stdout).not.toContain('sched-e2e-');
    expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(2); // everything would be re-added
  });
});
