/** Every shipped schedules.yaml (examples/ and the repository root) and every starter file validates. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatText } from '../../src/config/diagnostic.js';
import { loadProject } from '../../src/config/load.js';
import { existsSync } from 'node:fs';
import { validateFile } from '../../src/services/validate.js';
import { schemaReference, starterYaml } from '../../src/config/starter.js';
import { BACKENDS, type BackendChoice, type BackendName } from '../../src/model/job.js';
import { providerOf } from '../../src/backends/registry.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function findSchedules(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await findSchedules(p)));
    else if (/^schedules(\..+)?\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

const files = [
  path.join(REPO, 'schedules.yaml'),
  ...(await findSchedules(path.join(REPO, 'examples'))),
].sort();

describe('shipped schedules files validate', () => {
  it('finds the root file and at least three examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files.map((f) => path.relative(REPO, f)))('%s', async (rel) => {
    // Through the service: the backend named in the file must express every job exactly, too.
    const result = await validateFile(path.join(REPO, rel), { displayName: rel });
    expect(formatText(result.diagnostics, { [rel]: result.source })).toBe('');
    expect(result.project).toBeDefined();
    expect(result.project!.jobs.length).toBeGreaterThan(0);
    // The modeline points at the schema (relative, and the file it names exists).
    const modeline = /^# yaml-language-server: \$schema=(\S+)/.exec(result.source ?? '');
    expect(modeline).not.toBeNull();
    expect(path.resolve(path.dirname(path.join(REPO, rel)), modeline![1]!)).toBe(
      path.join(REPO, 'schemas/schedules.schema.json'),
    );
  });
});

describe('sched init starter', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it.each(['auto', ...BACKENDS])('validates for backend %s', async (backend) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sched-init-'));
    dirs.push(dir);
    const file = path.join(dir, 'schedules.yaml');
    const ref = schemaReference(dir);
    // `detected` is free text from the host: a newline in it must not break out of its comment.
    const detected = 'systemd (answers: running)\njobs: {}';
    await writeFile(
      file,
      starterYaml({
        project: 'starter',
        backend: backend as BackendChoice,
        schemaRef: ref,
        detected,
        backendSettings: backend === 'auto' ? undefined : providerOf(backend as BackendName).starterSettings,
      }),
    );
    const result = await loadProject(file, { displayName: 'schedules.yaml' });
    expect(formatText(result.diagnostics, { 'schedules.yaml': result.source })).toBe('');
    expect(result.project?.name).toBe('starter');
    expect(result.project?.backend).toBe(backend);
    expect(result.project?.jobs.map((j) => j.name)).toEqual(['hello']);
  });

  it('uses the absolute path of the schema sched ships when no local copy is reachable (a global install)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sched-init-'));
    dirs.push(dir);
    const ref = schemaReference(dir);
    expect(ref).toBe(path.join(REPO, 'schemas', 'schedules.schema.json'));
    expect(existsSync(ref)).toBe(true);
  });

  it('uses a relative path to the schema of an installed sched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sched-init-'));
    dirs.push(dir);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'node_modules/sched/schemas'), { recursive: true });
    await writeFile(path.join(dir, 'node_modules/sched/schemas/schedules.schema.json'), '{}');
    expect(schemaReference(dir)).toBe('./node_modules/sched/schemas/schedules.schema.json');
    expect(schemaReference(REPO)).toBe('./schemas/schedules.schema.json');
  });
});
