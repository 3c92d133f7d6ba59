/**
 * The whole plan/apply/destroy cycle through the sched CLI against the real `crontab` of a
 * throw-away user whose crontab is full of foreign lines (issue 3's "done when"): the foreign
 * bytes stay identical after every step, a foreign line added by hand is not drift, and
 * unbalanced markers stop sched before it writes anything.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, sched as schedVia, SCHED_BIN } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e CLI on the real crontab: ${skip}`);

/** Everything a real crontab may hold that is not ours, including another project's block and no final newline. */
const FOREIGN_HEAD = [
  '# m h  dom mon dow   command',
  'MAILTO=ops@example.com',
  'SHELL=/bin/bash',
  '',
  '\t# an indented comment, with a tab',
  '*/5 * * * * /usr/bin/backup --quiet  ',
  '0 3 * * *\tdate +\\%F >> /tmp/dates.log',
  '# BEGIN sched other-project',
  '# sched-managed project=other-project job=x hash=sha256:0123456789abcdef',
  "0 1 * * * '/usr/bin/node' '/opt/sched/bin/run.js' run --project other-project --trigger crontab x",
  '# END sched other-project',
  '',
].join('\n');
const FOREIGN_TAIL = '@reboot /usr/local/bin/on-boot';

function yaml(jobs: string[]): string {
  const all: Record<string, string> = {
    alpha: '\n  alpha:\n    schedule: "*/10 * * * *"\n    command: ["echo", "100% alpha"]',
    beta: '\n  beta:\n    schedule: "0 0 */2 * 1"\n    command: echo beta\n    catch_up: true',
    gamma:
      '\n  gamma:\n    schedule: weekday\n    description: "has a % and a \\"quote\\""\n    command: ["true"]',
  };
  return `version: 1\nproject: e2e-cron\nbackend: crontab\njobs:${jobs.map((j) => all[j]).join('')}\n`;
}

/** The crontab without our block: what must never change. */
function foreignPart(text: string): string {
  return text.replace(/# BEGIN sched e2e-cron\n[\s\S]*?# END sched e2e-cron\n/, '');
}

describe.skipIf(skip)('sched CLI on the real crontab of a throw-away user', () => {
  let user: CronUser;
  let file: string;
  let original: string;
  const cli = (args: string[]) => schedVia(execAs(user), args);

  beforeAll(() => {
    user = createCronUser();
    file = path.join(user.home, 'schedules.yaml');
    original = FOREIGN_HEAD + FOREIGN_TAIL; // no final newline
    user.write(original + '\n');
    original = user.read()!; // what crontab really stored
  });
  afterAll(() => user?.remove());

  function writeYaml(text: string): void {
    user.writeOwned(file, text);
  }

  it('applies three jobs and keeps every foreign byte', async () => {
    writeYaml(yaml(['alpha', 'beta', 'gamma']));
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('Plan: 3 to add');
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const now = user.read()!;
    expect(now).toContain('# BEGIN sched e2e-cron');
    expect(now).toContain(`${SCHED_BIN} run --project e2e-cron --trigger crontab`);
    expect(foreignPart(now)).toBe(original);
    expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('does not take a foreign line added by hand for drift, and keeps it', async () => {
    const withExtra = user.read()! + '15 4 * * * /usr/bin/added-by-hand\n';
    user.write(withExtra);
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.exitCode, plan.stdout).toBe(0);
    original = foreignPart(withExtra);
  });

  it('sees a hand edit inside the block and repairs it', async () => {
    const edited = user.read()!.replace(/^\*\/10 \* \* \* \* /m, '*/11 * * * * ');
    user.write(edited);
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('~ alpha (edited by hand)');
    expect((await cli(['apply', '-f', file, '--auto-approve'])).exitCode).toBe(0);
    const now = user.read()!;
    expect(now).toMatch(/^\*\/10 \* \* \* \* /m);
    expect(foreignPart(now)).toBe(original);
  });

  it('updates and deletes jobs, foreign bytes identical after each step', async () => {
    writeYaml(yaml(['alpha', 'gamma']).replace('"*/10 * * * *"', '"*/20 * * * *"'));
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('~ alpha (changed in the file)');
    expect(apply.stdout).toContain('- beta (removed from the file)');
    const now = user.read()!;
    expect(now).not.toMatch(/--trigger crontab beta/);
    expect(foreignPart(now)).toBe(original);
  });

  it('refuses unbalanced markers with exit 1 and writes nothing', async () => {
    const good = user.read()!;
    user.write(good.replace('# END sched e2e-cron\n', ''));
    const before = user.read();
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toMatch(/BEGIN sched e2e-cron/);
    expect(apply.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(user.read()).toBe(before);
    user.write(good);
  });

  it('destroy removes the whole block and nothing else', async () => {
    const destroy = await cli(['destroy', '-f', file, '--auto-approve']);
    expect(destroy.exitCode, destroy.stderr + destroy.stdout).toBe(0);
    const now = user.read()!;
    expect(now).not.toContain('sched e2e-cron');
    expect(now).toBe(original);
  });
});
