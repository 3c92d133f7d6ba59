import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExternalCommandError, UserError } from '../../../src/errors.js';
import type { Artifact, ArtifactChange, InstalledArtifact } from '../../../src/backends/types.js';
import {
  CrontabBackend,
  CrontabChangedError,
  CrontabMarkerError,
  parseCrontab,
} from '../../../src/backends/crontab/index.js';
import type { RunResult } from '../../../src/platform/ports.js';
import { FakeCrontab, ctx, job } from './fixtures.js';

const create = (a: Artifact): ArtifactChange => ({
  action: 'create',
  id: a.id,
  job: a.job,
  kind: a.kind,
  after: a,
});
const remove = (a: InstalledArtifact): ArtifactChange => ({
  action: 'delete',
  id: a.id,
  job: a.job,
  kind: a.kind,
  before: a,
});
const FOREIGN = 'MAILTO=""\n# keep me\t\n0 1 * * * echo 100\\%\n';

function setup(initial?: string, user?: string) {
  const fake = new FakeCrontab(initial);
  const backend = new CrontabBackend({ runner: fake, user });
  const jobs = [job('alpha'), job('beta', { schedule: { kind: 'event', event: 'boot', source: 'boot' } })];
  const artifacts = [
    ...backend.renderProject('billing', jobs, ctx),
    ...jobs.flatMap((j) => backend.render(j, ctx)),
  ];
  return { fake, backend, artifacts };
}

describe('CrontabBackend', () => {
  it('reads an absent crontab as empty and applies into it, then reads back what it wrote', async () => {
    const { fake, backend, artifacts } = setup(undefined);
    expect(await backend.readInstalled('billing')).toEqual([]);
    await backend.apply('billing', artifacts.map(create));
    expect(fake.text).toContain('# BEGIN sched billing\n');
    const installed = await backend.readInstalled('billing');
    expect(installed.map((a) => a.id).sort()).toEqual(artifacts.map((a) => a.id).sort());
    for (const a of installed) expect(a.actualHash).toBe(a.recordedHash);
  });

  it('reads with ONE crontab -l, and uses -u USER for another user', async () => {
    const { fake, backend } = setup(FOREIGN, 'ann');
    await backend.readInstalled('billing');
    expect(fake.calls).toEqual([['crontab', '-u', 'ann', '-l']]);
  });

  it('keeps foreign lines, is idempotent, and writes nothing when nothing changes', async () => {
    const { fake, backend, artifacts } = setup(FOREIGN);
    await backend.apply('billing', artifacts.map(create));
    expect(fake.text!.startsWith(FOREIGN)).toBe(true);
    const after = fake.text;
    const writes = fake.writes;
    await backend.apply('billing', artifacts.map(create));
    expect(fake.text).toBe(after);
    expect(fake.writes).toBe(writes);
  });

  it('destroy gives back the foreign text; with no foreign text it removes the crontab (crontab -r)', async () => {
    const one = setup(FOREIGN);
    await one.backend.apply('billing', one.artifacts.map(create));
    const del = (await one.backend.readInstalled('billing')).map((a): ArtifactChange => ({
      action: 'delete',
      id: a.id,
      job: a.job,
      kind: a.kind,
      before: a,
    }));
    await one.backend.apply('billing', del);
    expect(one.fake.text).toBe(FOREIGN);

    const two = setup(undefined);
    await two.backend.apply('billing', two.artifacts.map(create));
    const del2 = (await two.backend.readInstalled('billing')).map((a): ArtifactChange => ({
      action: 'delete',
      id: a.id,
      job: a.job,
      kind: a.kind,
      before: a,
    }));
    await two.backend.apply('billing', del2);
    expect(two.fake.text).toBeUndefined();
    expect(two.fake.calls.at(-1)).toEqual(['crontab', '-r']);
  });

  it('refuses to write when the crontab changed between the read and the write', async () => {
    const { fake, backend, artifacts } = setup(FOREIGN);
    fake.onList = (n) => {
      if (n === 2) fake.text = FOREIGN + '# added meanwhile\n';
    };
    await expect(backend.apply('billing', artifacts.map(create))).rejects.toThrow(UserError);
    expect(fake.text).toBe(FOREIGN + '# added meanwhile\n');
    expect(fake.writes).toBe(0);
  });

  it('lists with the header lines hidden even when CRONTAB_NOHEADER=N is set', async () => {
    const { fake, backend } = setup(FOREIGN);
    await backend.readInstalled('billing');
    expect(fake.listEnv).toEqual({ CRONTAB_NOHEADER: 'Y' });
  });

  it('keeps CR, backspace and non-UTF-8 foreign bytes exactly, reading them through crontab -e', async () => {
    const foreign = Buffer.concat([
      Buffer.from('MAILTO=""\r\n# saved on Windows\r\n0 1 * * * tr -d \'\\r\' <a >b\n# bs\x08 and '),
      Buffer.from([0xe9, 0xff, 0x80, 0x0a]),
    ]);
    const { fake, backend, artifacts } = setup();
    fake.bytes = foreign;
    await backend.apply('billing', artifacts.map(create));
    expect(fake.bytes!.subarray(0, foreign.length).equals(foreign)).toBe(true);
    expect(fake.calls.some((c) => c.includes('-e'))).toBe(true);
    const installed = await backend.readInstalled('billing');
    await backend.apply('billing', installed.map(remove));
    expect(fake.bytes!.equals(foreign)).toBe(true);
  });

  it('reads with crontab -l alone when the listing has no escape in it', async () => {
    const { fake, backend } = setup(FOREIGN + '# caf\u00e9 \u2713\n');
    await backend.readInstalled('billing');
    expect(fake.calls).toEqual([['crontab', '-l']]);
  });

  it('installs a complete file with crontab FILE, never through stdin, and removes the file after', async () => {
    const { fake, backend, artifacts } = setup(FOREIGN);
    await backend.apply('billing', artifacts.map(create));
    const install = fake.calls.find((c) => c[0] === 'crontab' && c.length === 2 && c[1] !== '-l')!;
    expect(install[1]).toMatch(/^\//);
    expect(existsSync(install[1]!)).toBe(false);
    expect(fake.calls.some((c) => c.includes('-'))).toBe(false);
  });

  it('stages the file before the last re-read and refuses when the crontab changed after the plan read it', async () => {
    const { fake, backend, artifacts } = setup(FOREIGN);
    const seen = await backend.readInstalled('billing');
    expect(seen).toEqual([]);
    const state = backend.observedState('billing');
    expect(state).toMatch(/^sha256:[0-9a-f]{64}$/);
    fake.text = FOREIGN + '# added by another applier\n';
    await expect(backend.apply('billing', artifacts.map(create))).rejects.toBeInstanceOf(CrontabChangedError);
    await expect(
      new CrontabBackend({ runner: fake }).apply('billing', artifacts.map(create), { expectedState: state }),
    ).rejects.toThrow(/changed since the plan read it; nothing was written/);
    expect(fake.text).toBe(FOREIGN + '# added by another applier\n');
    expect(fake.writes).toBe(0);
    // A fresh read makes the plan current again.
    await backend.readInstalled('billing');
    await backend.apply('billing', artifacts.map(create));
    expect(fake.writes).toBe(1);
  });

  it('applies after the plan read with one more crontab -l only: the re-read right before the write', async () => {
    const { fake, backend, artifacts } = setup(FOREIGN);
    await backend.readInstalled('billing');
    const before = fake.calls.length;
    await backend.apply('billing', artifacts.map(create));
    const calls = fake.calls.slice(before).map((c) => (c[1]?.startsWith('/') ? ['crontab', 'FILE'] : c));
    expect(calls).toEqual([
      ['crontab', '-l'],
      ['crontab', 'FILE'],
    ]);
    // The re-read still guards the write: a change after the plan read it is refused.
    const installed = await backend.readInstalled('billing');
    fake.onList = () => (fake.text = FOREIGN + '# added by another applier\n');
    await expect(backend.apply('billing', installed.map(remove))).rejects.toThrow(
      /changed since the plan read it; nothing was written/,
    );
    expect(fake.writes).toBe(1);
  });

  it('after a plan read, a crontab whose markers broke since is refused for its markers', async () => {
    const { fake, backend, artifacts } = setup(FOREIGN);
    await backend.readInstalled('billing');
    const broken = FOREIGN + '# BEGIN sched billing\n0 1 * * * x\n';
    fake.text = broken;
    await expect(backend.readInstalled('billing')).rejects.toBeInstanceOf(CrontabMarkerError);
    await expect(backend.apply('billing', artifacts.map(create))).rejects.toBeInstanceOf(CrontabMarkerError);
    expect(fake.text).toBe(broken);
    expect(fake.writes).toBe(0);
  });

  it('refuses unbalanced markers without writing', async () => {
    const broken = FOREIGN + '# BEGIN sched billing\n0 1 * * * x\n';
    const { fake, backend, artifacts } = setup(broken);
    await expect(backend.readInstalled('billing')).rejects.toBeInstanceOf(CrontabMarkerError);
    await expect(backend.apply('billing', artifacts.map(create))).rejects.toBeInstanceOf(CrontabMarkerError);
    expect(fake.text).toBe(broken);
    expect(fake.writes).toBe(0);
  });

  it('turns an unexpected crontab failure into ExternalCommandError', async () => {
    const runner = {
      run: async (): Promise<RunResult> => ({
        exitCode: 1,
        stdout: '',
        stderr: 'You (ann) are not allowed to use this program (crontab)\n',
      }),
    };
    const backend = new CrontabBackend({ runner });
    await expect(backend.readInstalled('billing')).rejects.toBeInstanceOf(ExternalCommandError);
  });

  it('detects crontab and the daemon, and warns when the daemon is not running', async () => {
    const { fake, backend } = setup();
    expect(await backend.detect()).toMatchObject({ available: true });
    expect(await backend.warnings()).toEqual([]);
    fake.daemon = false;
    expect((await backend.warnings())[0]).toMatch(/cron daemon is not running/);
    expect((await backend.detect()).reason).toMatch(/not seem to be running/);
    fake.hasCrontab = false;
    expect(await backend.detect()).toMatchObject({ available: false });
  });

  it('renders the whole block as one file for `sched render`, parsing back to the artifacts', () => {
    const { backend, artifacts } = setup();
    const [file, ...rest] = backend.renderFiles('billing', artifacts);
    expect(rest).toEqual([]);
    expect(file!.name).toBe('billing.crontab');
    const text = String(file!.content);
    expect(text.startsWith('# BEGIN sched billing\n')).toBe(true);
    expect(text.endsWith('# END sched billing\n')).toBe(true);
    expect(parseCrontab(text, 'billing').map((a) => a.content)).toEqual(artifacts.map((a) => a.content));
  });

  it('has no runNow: the caller runs `sched run` itself', () => {
    const { backend } = setup();
    expect('runNow' in backend).toBe(false);
  });
});
