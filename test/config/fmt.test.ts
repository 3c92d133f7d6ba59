/**
 * `sched fmt`: canonical layout, comments kept, meaning never changed, idempotent; `--check` for
 * CI; syntax errors named with their position, nothing written.
 */
import { mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import Fmt from '../../src/commands/fmt.js';
import { formatSchedulesFile, formatSchedulesText } from '../../src/services/fmt.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const MESSY = `# yaml-language-server: $schema=./schemas/schedules.schema.json
version: 1
project:   billing   # the namespace
jobs:
    nightly:
        schedule: "0 2 * * *"   # at two
        command: [ 'node',   'report.js' ]
        env:
          A: "1"
    # a comment before a job
    sync:
      schedule: weekday
      command:
      - ./sync.sh
      - --fast
`;

function comments(text: string): string[] {
  return [...text.matchAll(/#.*$/gm)].map((m) => m[0].trim()).sort();
}

describe('formatSchedulesText', () => {
  it('rewrites a messy file canonically, keeping data and comments', async () => {
    const { text, changed } = await formatSchedulesText(MESSY);
    expect(changed).toBe(true);
    expect(parse(text)).toEqual(parse(MESSY));
    expect(comments(text)).toEqual(comments(MESSY));
    expect(text).toContain("    command: ['node', 'report.js']\n");
    expect(text).toContain('    command:\n      - ./sync.sh\n');
    expect((await formatSchedulesText(text)).changed).toBe(false);
  });

  it('leaves every example and the repository file as they are after one pass (idempotent, same data)', async () => {
    const files = [path.join(REPO, 'schedules.yaml')];
    for (const d of await readdir(path.join(REPO, 'examples'), { withFileTypes: true }))
      if (d.isDirectory()) files.push(path.join(REPO, 'examples', d.name, 'schedules.yaml'));
    for (const f of files) {
      const source = await readFile(f, 'utf8').catch(() => undefined);
      if (source === undefined) continue;
      const once = await formatSchedulesText(source, f);
      expect(parse(once.text), f).toEqual(parse(source));
      expect(comments(once.text), f).toEqual(comments(source));
      expect((await formatSchedulesText(once.text, f)).changed, f).toBe(false);
    }
  });

  it('is idempotent and meaning-preserving on random job maps', async () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 4 }));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(word, fc.dictionary(word, value, { maxKeys: 4 }), { maxKeys: 5 }),
        async (jobs) => {
          const { stringify } = await import('yaml');
          const source = stringify({ version: 1, jobs }, { indent: 4 });
          const once = await formatSchedulesText(source);
          expect(parse(once.text)).toEqual(parse(source));
          expect((await formatSchedulesText(once.text)).changed).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('names the line and column of a syntax error', async () => {
    await expect(formatSchedulesText('version: 1\njobs:\n  a: [1, 2\n', 'x.yaml')).rejects.toThrow(
      /^x\.yaml:\d+:\d+: /,
    );
  });
});

describe('sched fmt', () => {
  let dir: string;
  let cwd: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sched-fmt-'));
    cwd = process.cwd();
    process.chdir(dir);
  });
  afterEach(async () => {
    process.chdir(cwd);
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[]) {
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    let exitCode = 0;
    try {
      await Fmt.run(argv, REPO);
    } catch (err) {
      const e = err as { oclif?: { exit?: number } };
      if (e.oclif?.exit !== undefined) exitCode = e.oclif.exit;
      else throw err;
    } finally {
      vi.restoreAllMocks();
    }
    return { stdout, exitCode };
  }

  it('--check exits 2 and writes nothing; without it the file is rewritten with its mode kept', async () => {
    await writeFile('schedules.yaml', MESSY);
    await chmod('schedules.yaml', 0o640);
    const check = await run(['--check', '--diff']);
    expect(check.exitCode).toBe(2);
    expect(check.stdout).toMatch(/^schedules\.yaml \(not formatted\)\n/);
    expect(check.stdout).toContain("+    command: ['node', 'report.js']");
    expect(await readFile('schedules.yaml', 'utf8')).toBe(MESSY);

    const write = await run([]);
    expect(write).toEqual({ stdout: 'schedules.yaml\n', exitCode: 0 });
    expect((await stat('schedules.yaml')).mode & 0o777).toBe(0o640);
    expect(await run(['--check'])).toEqual({ stdout: '', exitCode: 0 });
  });

  it('--json reports each file', async () => {
    await writeFile('schedules.yaml', MESSY);
    const r = await run(['--json', '--check']);
    expect(JSON.parse(r.stdout)).toEqual({
      format_version: 1,
      files: [{ file: 'schedules.yaml', changed: true, written: false }],
    });
  });

  it('refuses a missing file with a hint, and an invalid one without writing', async () => {
    await expect(formatSchedulesFile('nope.yaml')).rejects.toMatchObject({
      message: 'no schedules file at nope.yaml',
    });
    await writeFile('bad.yaml', 'jobs: [\n');
    await expect(formatSchedulesFile('bad.yaml')).rejects.toThrow(/^bad\.yaml:\d+:\d+: /);
    expect(await readFile('bad.yaml', 'utf8')).toBe('jobs: [\n');
  });
});
