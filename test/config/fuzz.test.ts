/**
 * No input produces a throw (and so no stack trace): random bytes, random YAML values, and
 * random mutations of a valid file all come back as diagnostics with sane positions.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatGithub, formatJson, formatText } from '../../src/config/diagnostic.js';
import { loadProject } from '../../src/config/load.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sched-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(content: string | Uint8Array): Promise<void> {
  const file = path.join(dir, `s${counter++}.yaml`);
  await writeFile(file, content);
  const r = await loadProject(file, { displayName: 'schedules.yaml', now: new Date('2026-06-01T00:00:00Z') });
  const lines = (r.source ?? '').split(/\r\n|\r|\n/).length;
  for (const d of r.diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeGreaterThanOrEqual(1);
    if (r.source !== undefined) expect(d.line).toBeLessThanOrEqual(lines);
    expect(typeof d.message).toBe('string');
    expect(d.message.length).toBeGreaterThan(0);
  }
  // Either a project or at least one error, never both.
  expect(r.project === undefined).toBe(r.diagnostics.some((d) => d.severity === 'error'));
  // The formatters accept anything the loader produces.
  formatText(r.diagnostics, { 'schedules.yaml': r.source });
  formatJson(r.diagnostics);
  formatGithub(r.diagnostics);
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

describe('loader never throws', () => {
  it('on random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), check), { numRuns: RUNS });
  });

  it('on random text', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), check), {
      numRuns: RUNS,
    });
  });

  it('on random YAML values, at the top and as a job', async () => {
    const value = fc.anything({ maxDepth: 3, withNullPrototype: false, withBoxedValues: false });
    await fc.assert(
      fc.asyncProperty(value, value, async (top, job) => {
        await check(stringify(top ?? null));
        await check(stringify({ version: 1, jobs: { a: job, b: { schedule: job, command: job } } }));
      }),
      { numRuns: RUNS },
    );
  });

  it('on random schedules and field values', async () => {
    const cronish = fc.stringMatching(/^[0-9*,\-/a-z@# ]{0,24}$/);
    await fc.assert(
      fc.asyncProperty(cronish, fc.string({ maxLength: 12 }), async (schedule, tz) => {
        await check(
          stringify({
            version: 1,
            jobs: {
              a: { schedule, command: 'x', timezone: tz || 'UTC', timeout: tz || '1m', jitter: schedule },
            },
          }),
        );
        await check(stringify({ version: 1, jobs: { a: { schedule: { at: schedule }, command: ['x'] } } }));
      }),
      { numRuns: RUNS },
    );
  });

  it('on mutations of a valid file', async () => {
    const base = await readFile(path.join(REPO, 'examples/web-app/schedules.yaml'), 'utf8');
    const edit = fc.record({
      at: fc.nat({ max: base.length }),
      del: fc.nat({ max: 8 }),
      insert: fc.constantFrom(
        '',
        ' ',
        '\t',
        ':',
        '- ',
        '"',
        "'",
        '*',
        '&a ',
        '*a',
        '{',
        '[',
        '\n',
        '\n  ',
        '#',
        '0',
        'x',
        '---\n',
        '!!binary ',
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let text = base;
        for (const e of edits) {
          const at = Math.min(e.at, text.length);
          text = text.slice(0, at) + e.insert + text.slice(at + e.del);
        }
        await check(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('on an alias bomb', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      );
    await check(`version: 1\njobs: {}\nx-bomb:\n${bomb.map((l) => '  ' + l).join('\n')}\n`);
  });
});
