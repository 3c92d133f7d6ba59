/**
 * What a scheduled `sched run` loads and sets up before it runs the job: bin/run.js (CommonJS, so
 * node's ES module loader has no module to load) and the one CommonJS file the run path is bundled
 * into (scripts/bundle.mjs), node built-ins, and no package. Code only some runs need (YAML for a
 * job named by hand, catch-up, notifications, error reports) stays in functions run on first use.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A state folder with project `bundle`'s job `noop` (`true`) applied, and its schedules.yaml. */
async function appliedNoop(): Promise<string> {
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
  writeFileSync(
    path.join(root, 'schedules.yaml'),
    'version: 1\nproject: bundle\nbackend: crontab\njobs:\n  noop:\n    schedule: "0 * * * *"\n    command: ["true"]\n',
  );
  return root;
}

/** Runs sched with a preload that writes, at exit, every file node loaded as CommonJS. */
function loadedFiles(
  root: string,
  args: string[],
): { status: number | null; stderr: string; files: string[] } {
  const list = path.join(root, 'loaded');
  const probe = path.join(root, 'loaded-probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, Object.keys(require.cache).join('\\n')));\n`,
  );
  const r = spawnSync(process.execPath, ['-r', probe, SCHED_BIN, ...args], {
    cwd: root,
    env: { HOME: root, PATH: '/usr/bin:/bin', SCHED_HOME: root },
    encoding: 'utf8',
  });
  const files = readFileSync(list, 'utf8')
    .split('\n')
    .filter((f) => f !== probe);
  return { status: r.status, stderr: r.stderr, files };
}

describe('the sched run bundle', () => {
  it('loads bin/run.js and one bundle file, and no package, for a scheduled run', async () => {
    expect(existsSync(path.join(BUNDLE, 'cli.cjs')), 'build first (npm run build)').toBe(true);
    const root = await appliedNoop();
    const scheduled = loadedFiles(root, ['run', '--project', 'bundle', '--trigger', 'crontab', 'noop']);
    expect(scheduled.status).toBe(0);
    expect(scheduled.files.sort()).toEqual([SCHED_BIN, path.join(BUNDLE, 'cli.cjs')].sort());
    // The lazy parts are there: a job misspelled by hand reads schedules.yaml with the yaml package.
    const misspelled = loadedFiles(root, ['run', 'nop']);
    expect(misspelled.status).toBe(1);
    expect(
      misspelled.files.some((f) => f.includes(`${path.sep}node_modules${path.sep}yaml${path.sep}`)),
    ).toBe(true);
  });

  it("a plan in its common form loads, of sched's own files, bin/run.js and the plan/apply bundle", async () => {
    const root = await appliedNoop();
    const plan = loadedFiles(root, ['plan', '-f', path.join(root, 'schedules.yaml')]);
    expect(plan.status, plan.stderr).toBe(0);
    const own = plan.files.filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`));
    expect(own.sort()).toEqual(
      [
        SCHED_BIN,
        path.join(REPO_ROOT, 'dist/cli-bundle/fast-commands.cjs'),
        path.join(REPO_ROOT, 'dist/cli-bundle/schema-validator.cjs'),
      ].sort(),
    );
  });

  it('never sets up process.stdout for a scheduled run', async () => {
    // Node makes it on first use (~1 ms for the pipe cron collects output through). A scheduled
    // run writes nothing there; the job's output goes to its log. (stderr is not asked about:
    // node's own socket teardown looks at it when the job's pipes close.)
    const root = await appliedNoop();
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
