/**
 * Crontab states sched must never write itself into, and changes it must never lose, on the
 * real crontab of a throw-away user through the compiled CLI (and the adapter, for the
 * compare-and-swap steps):
 * - 12.14: another project's unterminated `# BEGIN sched other`, or a lone comment that reads
 *   as one, is refused before anything is written, with the line and how to fix it.
 * - 12.15: a spool crontab whose last line is an entry without a newline can be applied to
 *   and destroyed again.
 * - 12.4 (the adapter's half): a crontab changed after the plan read it, or between the re-read
 *   and the write, is never overwritten.
 * - 12.13 through the CLI run as the user: CR, backspace and non-UTF-8 bytes survive.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactChange } from '../../src/backends/types.js';
import { CrontabBackend, CrontabChangedError } from '../../src/backends/crontab/index.js';
import { NodeRunner, tempFileStager } from '../../src/platform/node.js';
import type { FileStager } from '../../src/platform/ports.js';
import { testJob } from '../fakes/job.js';
import { cliSkipReason, execAs, sched } from '../e2e/helpers/cli.js';
import { type CronUser, createCronUser, cronUserSkipReason } from '../e2e/helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] crontab states reliability: ${skip}`);

const PROJECT = 'rel-states';
const YAML = `version: 1\nproject: ${PROJECT}\nbackend: crontab\njobs:\n  a:\n    schedule: "0 4 1 1 *"\n    command: ["echo", "a"]\n`;

describe.skipIf(skip)('crontab states sched can always get out of', { timeout: 5 * 60_000 }, () => {
  let user: CronUser;
  let file: string;
  const cli = (args: string[]) => sched(execAs(user), args);
  const spool = (): string => (user.spoolBytes() ?? Buffer.alloc(0)).toString('latin1');

  beforeAll(() => {
    user = createCronUser();
    file = path.join(user.home, 'schedules.yaml');
    user.writeOwned(file, YAML);
  });
  afterAll(() => user?.remove());

  it.each([
    ['an unterminated block of another project', '# BEGIN sched other\n0 1 1 1 * echo other\n', 'other'],
    ['a lone comment that reads as a marker', '# BEGIN sched notes-2019\n', 'notes-2019'],
  ])('12.14: refuses to append after %s, names the line, and plan still works', async (_, open, other) => {
    const foreign = `MAILTO=""\n0 5 1 1 * echo mine\n${open}# the end\n`;
    user.write(foreign);
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toMatch(new RegExp(`line 3 \\('# BEGIN sched ${other}'\\)`));
    expect(apply.stderr).toContain(`'# END sched ${other}'`);
    expect(apply.stderr).not.toMatch(/bug in sched|\n\s+at /);
    expect(spool()).toBe(foreign);
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.exitCode, plan.stderr).toBe(2);
    // Following the hint gets out: close the other block, then apply and destroy work.
    const fixed = foreign.replace('# the end\n', `# END sched ${other}\n# the end\n`);
    user.write(fixed);
    expect((await cli(['apply', '-f', file, '--auto-approve'])).exitCode).toBe(0);
    expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(0);
    expect((await cli(['destroy', '-f', file, '--auto-approve'])).exitCode).toBe(0);
    expect(spool()).toBe(fixed);
  });

  it.each([
    ['an entry', 'x=1\n0 5 1 1 * echo last', 'x=1\n0 5 1 1 * echo last\n'],
    ['an environment line', '0 5 1 1 * echo one\nLAST=1', '0 5 1 1 * echo one\nLAST=1\n'],
    ['a comment', '0 5 1 1 * echo one\n# last', '0 5 1 1 * echo one\n# last'],
  ])(
    '12.15: a spool crontab ending in %s without a newline can be applied to and destroyed',
    async (_, foreign, undone) => {
      user.writeSpool(Buffer.from(foreign));
      expect(spool()).toBe(foreign);
      const apply = await cli(['apply', '-f', file, '--auto-approve']);
      expect(apply.exitCode, apply.stderr).toBe(0);
      expect(spool().startsWith(`${foreign}\n# BEGIN sched ${PROJECT}\n`)).toBe(true);
      const destroy = await cli(['destroy', '-f', file, '--auto-approve']);
      expect(destroy.exitCode, destroy.stderr).toBe(0);
      expect(spool()).toBe(undone);
      expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(2);
    },
  );

  it('12.13: CR, backspace and non-UTF-8 foreign bytes survive apply and destroy run as the user', async () => {
    const foreign = Buffer.concat([
      Buffer.from('MAILTO=""\r\n# saved on Windows\r\n0 5 1 1 * echo x\r\n'),
      Buffer.from("0 5 1 1 * tr -d '\\r' <a >b # literal backslash-r\n# bs\b esc\x1b "),
      Buffer.from([0xe9, 0xff, 0x80, 0x0a]),
    ]);
    expect(user.tryWriteBytes(foreign).exitCode).toBe(0);
    expect((await cli(['apply', '-f', file, '--auto-approve'])).exitCode).toBe(0);
    expect(user.spoolBytes()!.subarray(0, foreign.length).equals(foreign)).toBe(true);
    expect((await cli(['plan', '-f', file, '--detailed-exitcode'])).exitCode).toBe(0);
    expect((await cli(['destroy', '-f', file, '--auto-approve'])).exitCode).toBe(0);
    expect(user.spoolBytes()!.toString('hex')).toBe(foreign.toString('hex'));
  });

  describe('12.4: compare-and-swap on the crontab content', () => {
    const job = testJob({
      project: PROJECT,
      name: 'a',
      schedule: { kind: 'cron', expr: '0 4 1 1 *', source: '0 4 1 1 *' },
    });
    const ctx = {
      nodePath: process.execPath,
      schedBin: '/opt/sched/bin/run.js',
      stateDir: '/tmp/s',
      hostTimezone: 'UTC',
      homeDir: '/tmp',
    };
    const creates = (b: CrontabBackend): ArtifactChange[] =>
      [...b.renderProject(PROJECT, [job], ctx), ...b.render(job, ctx)].map((a) => ({
        action: 'create',
        id: a.id,
        job: a.job,
        kind: a.kind,
        after: a,
      }));

    it('refuses a plan made before another writer changed the crontab, and writes nothing', async () => {
      user.write('# foreign\n');
      const planner = new CrontabBackend({ runner: new NodeRunner(), user: user.name });
      await planner.readInstalled(PROJECT);
      const seen = planner.observedState(PROJECT)!;
      const meanwhile = '# foreign\n0 5 1 1 * echo added by another writer\n';
      user.write(meanwhile);
      await expect(planner.apply(PROJECT, creates(planner))).rejects.toBeInstanceOf(CrontabChangedError);
      // The same through the explicit option, from another instance (what the apply path passes).
      const other = new CrontabBackend({ runner: new NodeRunner(), user: user.name });
      await expect(other.apply(PROJECT, creates(other), { expectedState: seen })).rejects.toThrow(
        /changed since the plan read it; nothing was written/,
      );
      expect(spool()).toBe(meanwhile);
    });

    it('re-reads after staging the file and refuses when the crontab changed right before the write', async () => {
      user.write('# foreign\n');
      const meanwhile = '# foreign\n0 5 1 1 * echo written while sched staged its file\n';
      // A concurrent writer, injected at the step between the computation and the write.
      const racing: FileStager = {
        stage: (name, content, use) =>
          tempFileStager.stage(name, content, async (f) => {
            user.write(meanwhile);
            return use(f);
          }),
      };
      const backend = new CrontabBackend({ runner: new NodeRunner(), user: user.name, files: racing });
      await backend.readInstalled(PROJECT);
      // The write starts from the bytes the plan read, so the change is one since that read.
      await expect(backend.apply(PROJECT, creates(backend))).rejects.toThrow(
        /changed since the plan read it; nothing was written/,
      );
      expect(spool()).toBe(meanwhile);
      // Without a plan's read first, the apply reads itself: the change came while applying.
      const fresh = new CrontabBackend({ runner: new NodeRunner(), user: user.name, files: racing });
      user.write('# foreign\n');
      await expect(fresh.apply(PROJECT, creates(fresh))).rejects.toThrow(
        /changed while sched was applying; nothing was written/,
      );
      expect(spool()).toBe(meanwhile);
    });
  });
});
