/**
 * The checked-in API report (api/sched.api.md) matches the built declarations: a change to the
 * exported surface must come with a reviewed change to the report. Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');

it('api/sched.api.md is what the build exports', () => {
  const run = spawnSync(process.execPath, ['scripts/api-report.mjs', '--check'], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});
