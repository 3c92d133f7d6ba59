/**
 * The library examples run as written: every ```ts block of docs/api.md and
 * examples/api/register.ts, compiled from TypeScript and run by node from the repository (so
 * `import … from 'sched'` resolves to the built package through its `exports`), each with its
 * own SCHED_HOME. Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function runExample(ts: string): { status: number | null; stdout: string; stderr: string } {
  const js = transformSync(ts, { loader: 'ts', format: 'esm', target: 'node20' }).code;
  const home = mkdtempSync(path.join(os.tmpdir(), 'sched-api-example-'));
  homes.push(home);
  const run = spawnSync(process.execPath, ['--input-type=module'], {
    cwd: repo,
    input: js,
    encoding: 'utf8',
    env: { ...process.env, SCHED_HOME: path.join(home, 'state') },
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The ```ts blocks of a markdown file, with the line each starts on. */
function tsBlocks(markdown: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown))
    out.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[1]! });
  return out;
}

describe('API examples', () => {
  it('examples/api/register.ts registers, plans and applies three jobs', () => {
    const r = runExample(readFileSync(path.join(repo, 'examples/api/register.ts'), 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('create sync: Every 15 minutes');
    expect(r.stdout).toContain('create digest');
    expect(r.stdout).toContain('create prune');
    expect(r.stdout).toContain('3 added, 0 changed, 0 removed');
  });

  const blocks = tsBlocks(readFileSync(path.join(repo, 'docs/api.md'), 'utf8'));
  it('docs/api.md has examples', () => expect(blocks.length).toBeGreaterThanOrEqual(5));
  for (const block of blocks) {
    it(`docs/api.md example at line ${block.line} runs`, () => {
      const r = runExample(block.code);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // What the comments in the example promise is what it prints.
      for (const promised of block.code.matchAll(/console\.log\(.*\); \/\/ (.+)$/gm))
        expect(r.stdout).toContain(promised[1]!.replace(/ until .*$/, ''));
    });
  }
});
