/**
 * Issue 12.13: foreign crontab bytes are preserved exactly, whatever they are. Random foreign
 * lines of any bytes but NUL and newline (comments, entries, environment lines; CR, backspace,
 * escape, invalid UTF-8, a literal backslash-r…) that the real crontab accepts go through apply
 * and destroy on the real crontab of a throw-away user; the installed bytes are read from the
 * spool file itself, not through sched, and must match byte for byte.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact, ArtifactChange, InstalledArtifact, RenderContext } from '../../src/backends/types.js';
import { CrontabBackend } from '../../src/backends/crontab/index.js';
import { NodeRunner } from '../../src/platform/node.js';
import { testJob } from '../fakes/job.js';
import { type CronUser, createCronUser, cronUserSkipReason } from '../e2e/helpers/cron-user.js';

const skip = cronUserSkipReason();
if (skip) console.warn(`[skip] crontab foreign-bytes reliability: ${skip}`);

const PROJECT = 'rel-bytes';
const ctx: RenderContext = {
  nodePath: process.execPath,
  schedBin: '/opt/sched/bin/run.js',
  stateDir: '/tmp/sched-state',
  hostTimezone: 'UTC',
  homeDir: '/tmp',
};
const jobs = ['a', 'b'].map((name) =>
  testJob({
    project: PROJECT,
    name,
    description: 'caf\u00e9 \u2713',
    schedule: { kind: 'cron', expr: '0 4 1 1 *', source: '0 4 1 1 *' },
    timezone: 'UTC',
  }),
);

/** Any byte but NUL and newline, weighted towards the troublesome ones. */
const byte = fc.oneof(
  fc.constantFrom(0x0d, 0x08, 0x09, 0x1b, 0x7f, 0x5c, 0x25, 0x80, 0xc3, 0xff, 0x72),
  fc.integer({ min: 1, max: 255 }).filter((b) => b !== 0x0a),
);
const bytes = fc.array(byte, { maxLength: 40 }).map((b) => Buffer.from(b));
const line = fc.oneof(
  bytes.map((b) => Buffer.concat([Buffer.from('#'), b])),
  bytes.map((b) => Buffer.concat([Buffer.from('0 4 1 1 * echo '), b])),
  bytes.map((b) => Buffer.concat([Buffer.from('FOREIGN_VAR='), b])),
  fc.constantFrom(Buffer.from(''), Buffer.from(' \t'), Buffer.from("0 4 1 1 * tr -d '\\r' <a >b")),
);
/** Lines joined by newlines; a final newline unless the last line is a comment (crontab's rule). */
const foreignText = fc
  .tuple(fc.array(line, { minLength: 1, maxLength: 12 }), fc.boolean())
  .map(([lines, nl]) => {
    const text = Buffer.concat(lines.flatMap((l, i) => (i ? [Buffer.from('\n'), l] : [l])));
    const lastIsComment = /^[ \t]*#/.test(lines.at(-1)!.toString('latin1'));
    return nl || !lastIsComment ? Buffer.concat([text, Buffer.from('\n')]) : text;
  });

function reconcile(desired: Artifact[], installed: InstalledArtifact[]): ArtifactChange[] {
  const have = new Map(installed.map((a) => [a.id, a]));
  const changes: ArtifactChange[] = desired
    .filter((a) => have.get(a.id)?.actualHash !== a.hash || have.get(a.id)?.recordedHash !== a.hash)
    .map((a) => ({
      action: have.has(a.id) ? 'update' : 'create',
      id: a.id,
      job: a.job,
      kind: a.kind,
      after: a,
    }));
  const want = new Set(desired.map((a) => a.id));
  for (const b of installed)
    if (!want.has(b.id)) changes.push({ action: 'delete', id: b.id, job: b.job, kind: b.kind, before: b });
  return changes;
}

describe.skipIf(skip)(
  'foreign crontab bytes through apply and destroy on the real crontab (issue 12.13)',
  () => {
    let user: CronUser;
    let backend: CrontabBackend;
    beforeAll(() => {
      user = createCronUser();
      backend = new CrontabBackend({ runner: new NodeRunner(), user: user.name });
    });
    afterAll(() => user?.remove());

    it('round-trips random foreign bytes byte for byte', { timeout: 15 * 60_000 }, async () => {
      const desired = [
        ...backend.renderProject(PROJECT, jobs, ctx),
        ...jobs.flatMap((j) => backend.render(j, ctx)),
      ];
      let tried = 0;
      let refusedByCrontab = 0;
      await fc.assert(
        fc.asyncProperty(foreignText, async (foreign) => {
          tried += 1;
          const installed = user.tryWriteBytes(foreign);
          if (installed.exitCode !== 0) {
            refusedByCrontab += 1;
            return; // not a crontab anyone could have: nothing to preserve
          }
          expect(user.spoolBytes()!.equals(foreign)).toBe(true);
          await backend.apply(PROJECT, reconcile(desired, await backend.readInstalled(PROJECT)));
          const applied = user.spoolBytes()!;
          const sep = foreign.length === 0 || foreign.at(-1) === 0x0a ? 0 : 1;
          expect(applied.subarray(0, foreign.length).toString('hex')).toBe(foreign.toString('hex'));
          expect(applied.subarray(foreign.length + sep).toString('utf8')).toMatch(
            /^# BEGIN sched rel-bytes\n/,
          );
          expect(reconcile(desired, await backend.readInstalled(PROJECT))).toEqual([]);
          await backend.apply(PROJECT, reconcile([], await backend.readInstalled(PROJECT)));
          expect((user.spoolBytes() ?? Buffer.alloc(0)).toString('hex')).toBe(foreign.toString('hex'));
        }),
        { numRuns: Number(process.env.SCHED_RELIABILITY_ROUNDS ?? 40) },
      );
      console.log(
        `crontab foreign bytes: tried ${tried}, crontab refused ${refusedByCrontab}, the rest passed`,
      );
      expect(tried - refusedByCrontab).toBeGreaterThan(tried / 2);
    });
  },
);
