/**
 * What a scheduled `sched run` loads and sets up before it runs the job: the bundle's entry and
 * the one chunk it imports (scripts/bundle.mjs), node built-ins, and no package. Each further
 * module is a resolve, a read and a link on every fire of every job; lazy code (YAML, catch-up,
 * the schedule engine, notifications, error reports) stays in chunks loaded only when used.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCapabilitiesOf } from '../../src/backends/registry.js';
import { AppliedSpecStore } from '../../src/state/applied.js';
import { cron, testJob } from '../fakes/job.js';
import { REPO_ROOT, SCHED_BIN } from './helpers/cli.js';

const BUNDLE = path.join(REPO_ROOT, 'dist/run-bundle');

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** The static imports of a bundle file (`import … from "x"`, `import "x"`), not `import("x")`. */
function staticImports(file: string): string[] {
  const text = readFileSync(path.join(BUNDLE, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s(?:[^"'();]*?\sfrom\s)?["']([^"']+)["']/gm)].map(
    (m) => m[1]!,
  );
}

/** Every module `cli.js` loads before its code runs, bundle files relative to the bundle. */
function staticClosure(): { files: string[]; others: string[] } {
  const files = new Set<string>();
  const others = new Set<string>();
  const todo = ['./cli.js'];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (!next.startsWith('./')) {
      others.add(next);
      continue;
    }
    const file = next.slice(2);
    if (files.has(file)) continue;
    files.add(file);
    todo.push(...staticImports(file));
  }
  return { files: [...files].sort(), others: [...others].sort() };
}

describe('the sched run bundle', () => {
  it('loads two bundle files and node built-ins only before the job runs', () => {
    expect(existsSync(path.join(BUNDLE, 'cli.js')), 'build first (npm run build)').toBe(true);
    const { files, others } = staticClosure();
    expect(files).toHaveLength(2);
    expect(files).toContain('cli.js');
    expect(others.filter((m) => !m.startsWith('node:'))).toEqual([]);
    // The lazy parts are there, outside what loads up front.
    const all = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
    expect(all.length).toBeGreaterThan(files.length + 5);
    const lazyText = all
      .filter((f) => !files.includes(f))
      .map((f) => readFileSync(path.join(BUNDLE, f), 'utf8'))
      .join('\n');
    expect(lazyText).toMatch(/from "yaml"/);
  });

  it('never sets up process.stdout for a scheduled run', async () => {
    // Node makes it on first use (~1 ms for the pipe cron collects output through). A scheduled
    // run writes nothing there; the job's output goes to its log. (stderr is not asked about:
    // node's own socket teardown looks at it when the job's pipes close.)
    const root = mkdtempSync(path.join(os.tmpdir(), 'sched-e2e-bundle-'));
    made.push(root);
    const job = testJob({
      project: 'bundle',
      name: 'noop',
      schedule: cron('0 * * * *'),
      command: { argv: ['true'] },
      workingDir: root,
      catchUp: true,
    });
    await new AppliedSpecStore(root).write({
      format_version: 2,
      backend: 'crontab',
      appliedAt: new Date().toISOString(),
      sourceFile: path.join(root, 'schedules.yaml'),
      job,
      capabilities: runCapabilitiesOf('crontab', job),
    });
    // Preloaded: reports the first use of each of the two streams to a file.
    const used = path.join(root, 'streams-used');
    const probe = path.join(root, 'probe.cjs');
    writeFileSync(
      probe,
      `const fs = require('node:fs');
for (const name of ['stdout', 'stderr']) {
  const get = Object.getOwnPropertyDescriptor(process, name).get;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: true,
    get() {
      fs.appendFileSync(${JSON.stringify(used)}, name + '\\n');
      Object.defineProperty(process, name, { configurable: true, enumerable: true, get });
      return get.call(process);
    },
  });
}
`,
    );
    const env = { HOME: root, PATH: '/usr/bin:/bin', SCHED_HOME: root };
    const r = spawnSync(
      process.execPath,
      ['-r', probe, SCHED_BIN, 'run', '--project', 'bundle', '--trigger', 'crontab', 'noop'],
      { env, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const history = readFileSync(path.join(root, 'projects/bundle/jobs/noop/history.jsonl'), 'utf8');
    expect(JSON.parse(history.trim()).result).toBe('ok');
    expect(existsSync(used) ? readFileSync(used, 'utf8') : '').not.toMatch(/stdout/);
    // The probe itself works: by hand, the job's output is echoed through stdout.
    const byHand = spawnSync(
      process.execPath,
      ['-r', probe, SCHED_BIN, 'run', '--project', 'bundle', 'noop'],
      { env, encoding: 'utf8' },
    );
    expect(byHand.status).toBe(0);
    expect(readFileSync(used, 'utf8')).toMatch(/stdout/);
  });
});
