/**
 * The applied-spec store's one durable commit (issue 16 item 1): spec files written without
 * their own fsync, then the project's manifest committed. A write SIGKILLed at every point —
 * after each spec file, between the spec files and the manifest, after the manifest — must leave
 * each job's spec old or new, the listing (what a plan reads) equal to what `sched run` would
 * read for every job, and a repeated write must converge. Also: a state dir from before the
 * manifest loads, and a spec file a power cut emptied or rolled back is caught.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCapabilitiesOf } from '../../src/backends/registry.js';
import type { AppliedSpec } from '../../src/state/applied.js';
import { AppliedSpecStore, MANIFEST_FILE, readAppliedSpecSync } from '../../src/state/applied.js';
import { jobStateDir, projectStateDir } from '../../src/state/paths.js';
import { cron, testJob } from '../fakes/job.js';
import { cliSkipReason } from '../e2e/helpers/cli.js';
import { writeSpecsAndDie, type KillPoint } from './tools/spec-write-kill.js';

const PROJECT = 'kill';
const JOBS = ['a', 'b', 'c', 'd', 'e'];
const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});
function home(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-spec-kill-'));
  homes.push(dir);
  return path.join(dir, 'state');
}

function spec(name: string, version: 'old' | 'new'): AppliedSpec {
  const job = testJob({
    project: PROJECT,
    name,
    schedule: cron('0 3 * * *'),
    command: { argv: ['echo', `${name}-${version}`] },
  });
  return {
    format_version: 2,
    backend: 'crontab',
    capabilities: runCapabilitiesOf('crontab', job),
    appliedAt: version === 'old' ? '2026-01-01T00:00:00.000Z' : '2026-02-01T00:00:00.000Z',
    sourceFile: '/src/schedules.yaml',
    job,
  };
}
const versionOf = (s: AppliedSpec | undefined): string =>
  s ? ((s.job.command as { argv: string[] }).argv[1] ?? '?') : 'none';

/** For every job: what a plan lists equals what `sched run` reads. Returns the versions. */
async function consistentVersions(root: string): Promise<Record<string, string>> {
  const listed = new Map((await new AppliedSpecStore(root).list(PROJECT)).map((s) => [s.job.name, s]));
  const out: Record<string, string> = {};
  for (const name of JOBS) {
    const run = readAppliedSpecSync(root, PROJECT, name);
    expect(versionOf(listed.get(name)), `job ${name}: the plan and sched run disagree`).toBe(versionOf(run));
    out[name] = versionOf(run);
  }
  return out;
}

const skip = cliSkipReason();

describe.skipIf(skip)('SIGKILL during the applied-spec commit', () => {
  const points: KillPoint[] = [
    ...JOBS.map((_, i) => ({ afterSpecFiles: i + 1 })),
    { atStep: 'spec-files-written' },
    { atStep: 'manifest-committed' },
  ];

  it.each(points.map((p) => [JSON.stringify(p), p] as const))(
    'killed %s: every job old or new, plan = run, a re-write converges',
    async (_label, at) => {
      const root = home();
      const store = new AppliedSpecStore(root);
      // Old state: a, b, c committed; d, e are new in this write (created, not updated).
      await store.writeMany(['a', 'b', 'c'].map((n) => spec(n, 'old')));
      const next = JOBS.map((n) => spec(n, 'new'));
      expect(writeSpecsAndDie(root, next, at)).toBe('SIGKILL');

      const versions = await consistentVersions(root);
      for (const [name, v] of Object.entries(versions)) {
        const allowed = ['a', 'b', 'c'].includes(name)
          ? [`${name}-old`, `${name}-new`]
          : ['none', `${name}-new`];
        expect(allowed, `job ${name}`).toContain(v);
      }
      // The next apply writes the same specs again and converges.
      await new AppliedSpecStore(root).writeMany(next);
      expect(await consistentVersions(root)).toEqual(Object.fromEntries(JOBS.map((n) => [n, `${n}-new`])));
    },
  );

  it('loads a state dir written before the manifest existed, and the next write adds it', async () => {
    const root = home();
    for (const name of ['a', 'b']) {
      const dir = jobStateDir(root, PROJECT, name);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec(name, 'old'), null, 2) + '\n', {
        mode: 0o600,
      });
    }
    fs.chmodSync(path.dirname(root), 0o700);
    const manifest = path.join(projectStateDir(root, PROJECT), MANIFEST_FILE);
    expect(fs.existsSync(manifest)).toBe(false);
    expect((await consistentVersions(root)).a).toBe('a-old');
    await new AppliedSpecStore(root).writeMany([spec('c', 'new')]);
    expect(fs.existsSync(manifest)).toBe(true);
    const jobs = Object.keys(JSON.parse(fs.readFileSync(manifest, 'utf8')).jobs);
    expect(jobs).toEqual(['a', 'b', 'c']);
    expect(await consistentVersions(root)).toMatchObject({ a: 'a-old', b: 'b-old', c: 'c-new' });
  });

  it('a spec file a power cut emptied is recovered from the manifest; one rolled back shows as it is', async () => {
    const root = home();
    await new AppliedSpecStore(root).writeMany(JOBS.map((n) => spec(n, 'new')));
    // Emptied: the file reached the directory but not its bytes.
    fs.truncateSync(path.join(jobStateDir(root, PROJECT, 'a'), 'spec.json'), 0);
    // Rolled back: the rename of the new file was lost, the previous version is back.
    const b = path.join(jobStateDir(root, PROJECT, 'b'), 'spec.json');
    fs.writeFileSync(`${b}.old`, JSON.stringify(spec('b', 'old'), null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(`${b}.old`, b);
    expect(await consistentVersions(root)).toMatchObject({ a: 'a-new', b: 'b-old', c: 'c-new' });
  });
});
