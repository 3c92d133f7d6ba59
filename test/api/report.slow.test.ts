/**
 * The checked-in API report (api/sched.api.md) matches the built declarations: a change to the
 * exported surface must come with a reviewed change to the report. API Extractor without `--local`
 * fails on a changed report and on any warning (a type the surface reaches but does not export, a
 * malformed TSDoc comment). Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const extractor = path.join(repo, 'node_modules/@microsoft/api-extractor/bin/api-extractor');

it('api/sched.api.md is what the build exports, with no API Extractor warning', () => {
  const run = spawnSync(process.execPath, [extractor, 'run'], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.stdout).not.toMatch(/Warning:/);
  expect(run.stdout).toMatch(/API Extractor completed successfully/);
  expect(run.status).toBe(0);
});
