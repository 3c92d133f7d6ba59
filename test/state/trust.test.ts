/**
 * Issue 12.2 / 12.17: sched trusts its state only when nobody else can change it — every directory
 * it uses, and every one above, is owned by the user (or root) and not writable by group or others
 * (a root-owned sticky directory like /tmp is fine); spec and state files owned by someone else
 * are refused; the error names the path and the command that fixes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../src/errors.js';
import {
  AppliedSpecStore,
  readAppliedSpecSync,
  removeStaleSpecTemps,
  STALE_TEMP_MS,
} from '../../src/state/applied.js';
import { ensureDirSync, permissionError, readTextSync } from '../../src/state/files.js';
import { StateLoadCache } from '../../src/state/load-cache.js';
import { jobStateDir } from '../../src/state/paths.js';
import { applySpec, makeJob, tempDir } from '../run/helpers.js';

const unix = typeof process.geteuid === 'function';
/** A uid that is neither root nor the user running the tests. */
const OTHER_UID = 54_321;
const asRoot = unix && process.geteuid!() === 0;

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe.skipIf(!unix)('trusted state directories', () => {
  it('refuses a state root writable by others, naming it and `chmod go-w`', () => {
    const root = path.join(tempDir(), 'state');
    fs.mkdirSync(root);
    fs.chmodSync(root, 0o777);
    const e = thrown(() => ensureDirSync(jobStateDir(root, 'p', 'j'), path.dirname(root)));
    expect(e).toBeInstanceOf(UnsafePathError);
    expect(e.message).toContain(root);
    expect(e.message).toMatch(/writable by everyone \(mode 0777\)/);
    expect((e as UnsafePathError).hint).toBe(`\`chmod go-w ${root}\``);
  });

  it('refuses a parent of the state root writable by its group (the chain up to /)', () => {
    const parent = tempDir();
    fs.chmodSync(parent, 0o770);
    const root = path.join(parent, 'state');
    const e = thrown(() => ensureDirSync(jobStateDir(root, 'p', 'j'), path.dirname(root)));
    expect(e.message).toContain(`refusing to use ${parent}:`);
    expect(e.message).toMatch(/writable by its group/);
  });

  it('accepts a root-owned sticky directory above (like /tmp), and creates 0700 below it', () => {
    expect(fs.statSync('/tmp').mode & 0o1000).toBeTruthy();
    const root = path.join(tempDir(), 'state');
    ensureDirSync(jobStateDir(root, 'p', 'j'), path.dirname(root));
    expect(fs.statSync(jobStateDir(root, 'p', 'j')).mode & 0o777).toBe(0o700);
  });

  it('refuses a group-writable directory inside the state', async () => {
    const root = path.join(tempDir(), 'state');
    await applySpec(root, makeJob());
    fs.chmodSync(path.join(root, 'projects'), 0o720);
    const e = thrown(() => readAppliedSpecSync(root, 'demo', 'job'));
    expect(e.message).toContain(path.join(root, 'projects'));
  });

  it.skipIf(!asRoot)(
    'refuses a directory or a spec file owned by another user, with `chown` as the fix',
    async () => {
      const root = path.join(tempDir(), 'state');
      await applySpec(root, makeJob());
      const spec = path.join(jobStateDir(root, 'demo', 'job'), 'spec.json');
      fs.chownSync(spec, OTHER_UID, OTHER_UID);
      let e = thrown(() => readAppliedSpecSync(root, 'demo', 'job'));
      expect(e.message).toBe(
        `refusing to use ${spec}: the file is owned by uid ${OTHER_UID}, not by you (uid 0), so its owner could change what sched runs`,
      );
      expect((e as UnsafePathError).hint).toContain(`chown 0 ${spec}`);
      expect(() => readTextSync(spec)).toThrow(UnsafePathError);
      fs.chownSync(spec, 0, 0);
      fs.chownSync(root, OTHER_UID, OTHER_UID);
      e = thrown(() => readAppliedSpecSync(root, 'demo', 'job'));
      expect(e.message).toContain(`refusing to use ${root}: the directory is owned by uid ${OTHER_UID}`);
      await expect(new AppliedSpecStore(root).list('demo')).rejects.toThrow(UnsafePathError);
    },
  );

  it('turns EACCES into a user error that names the path (never "a bug in sched")', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const e = permissionError(denied, '/srv/state/projects') as Error;
    expect(e).toBeInstanceOf(UnsafePathError);
    expect(e.message).toContain('refusing to use /srv/state/projects: permission denied');
    const other = Object.assign(new Error('boom'), { code: 'EIO' });
    expect(permissionError(other, '/x')).toBe(other);
  });
});

describe('the state root as a symlink (12.17)', () => {
  it('is refused by the plan cache like apply and run refuse it: nothing written through it', () => {
    const target = tempDir();
    const root = path.join(tempDir(), 'state');
    fs.symlinkSync(target, root);
    const cache = new StateLoadCache(root, 'build');
    cache.write('key', 'cached text');
    expect(fs.readdirSync(target)).toEqual([]);
    expect(() => new AppliedSpecStore(root).writeMany([])).not.toThrow();
  });
});

describe('stray spec temp files (12.17)', () => {
  it('are removed by the next apply of the job once stale, and a fresh one is left alone', async () => {
    const root = path.join(tempDir(), 'state');
    await applySpec(root, makeJob());
    const dir = jobStateDir(root, 'demo', 'job');
    const stale = path.join(dir, 'spec.json.3041795207');
    const fresh = path.join(dir, 'spec.json.2a9f1c');
    fs.writeFileSync(stale, '{"half":');
    fs.writeFileSync(fresh, '{"writing":');
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    fs.utimesSync(stale, old, old);
    await applySpec(root, makeJob());
    expect(fs.readdirSync(dir).sort()).toEqual(['spec.json', 'spec.json.2a9f1c']);
  });

  it('are removed by the next run of the job (reading its spec)', async () => {
    const root = path.join(tempDir(), 'state');
    await applySpec(root, makeJob());
    const dir = jobStateDir(root, 'demo', 'job');
    const stale = path.join(dir, 'spec.json.1234.abcd.tmp');
    fs.writeFileSync(stale, '{');
    const old = new Date(Date.now() - STALE_TEMP_MS - 1000);
    fs.utimesSync(stale, old, old);
    expect(readAppliedSpecSync(root, 'demo', 'job')?.job.name).toBe('job');
    expect(fs.existsSync(stale)).toBe(false);
    removeStaleSpecTemps(path.join(dir, 'missing'));
  });
});
