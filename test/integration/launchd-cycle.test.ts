/**
 * The launchd backend end to end through the services: plists in a REAL temp
 * $HOME/Library/LaunchAgents, `launchctl` answered by FakeLaunchd (loaded labels of gui/<uid>,
 * outputs from recorded transcripts). The uid is the test process's, as the registry uses it.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeDirFs } from '../../src/platform/node.js';
import { FakeLaunchd } from '../backends/launchd/fake-launchd.js';
import { InvalidConfigError } from '../../src/errors.js';
import { cycleYaml, runCycle } from './cycle.js';
import { expectNoChanges, put, rejection, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

const agents = (home: string) => path.join(home, 'Library', 'LaunchAgents');
const uid = typeof process.getuid === 'function' ? process.getuid() : 501;

const HANDMADE = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>LABEL</string>
	<key>ProgramArguments</key>
	<array><string>/usr/local/bin/backup</string></array>
	<key>StartInterval</key>
	<integer>3600</integer>
</dict>
</plist>
`;

async function plists(sb: Sandbox<FakeLaunchd>): Promise<Map<string, string>> {
  const dir = agents(sb.dir);
  const out = new Map<string, string>();
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort())
    out.set(name, await readFile(path.join(dir, name), 'utf8'));
  return out;
}

const isBilling = (content: string) => content.includes('<!-- sched-managed project=billing ');

describe('launchd: plan → apply → drift → destroy through the services', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup?.();
  });

  it('runs the whole cycle; other agents untouched', async () => {
    vi.stubEnv('TZ', 'UTC'); // launchd knows local time only: the file says UTC
    const sb = await runCycle<FakeLaunchd>({
      backend: 'launchd',
      jobs: ['nightly-report', 'hourly-sync', 'cleanup', 'weekly-digest'],
      makeRunner: (home) => new FakeLaunchd(new NodeDirFs(agents(home)), { uid }),
      async seedUnowned(sb) {
        for (const label of ['com.example.backup', 'dev.sched.billing.handmade']) {
          const file = path.join(agents(sb.dir), `${label}.plist`);
          await put(file, HANDMADE.replace('LABEL', label));
          sb.runner.loaded.set(label, file);
        }
      },
      async foreign(sb) {
        const lines: string[] = [];
        for (const [name, content] of await plists(sb))
          if (!isBilling(content)) lines.push(`== ${name}\n${content}`);
        const loaded = [...sb.runner.loaded.keys()].filter(
          (l) => !l.startsWith('dev.sched.billing.') || l.endsWith('.handmade'),
        );
        return `${lines.join('\n')}\nloaded: ${loaded.sort().join(' ')}`;
      },
      async installed(sb) {
        const jobs: string[] = [];
        for (const [name, content] of await plists(sb)) {
          if (!isBilling(content)) continue;
          const label = name.replace(/\.plist$/, '');
          expect(sb.runner.loaded.get(label), `${label} loaded`).toBe(path.join(agents(sb.dir), name));
          jobs.push(label.slice('dev.sched.billing.'.length));
        }
        return jobs.sort();
      },
      async handEdit(sb, job) {
        const file = path.join(agents(sb.dir), `dev.sched.billing.${job}.plist`);
        const text = await readFile(file, 'utf8');
        expect(text).toMatch(/<key>Hour<\/key>\s*<integer>3<\/integer>/);
        await writeFile(
          file,
          text.replace(/(<key>Hour<\/key>\s*)<integer>3<\/integer>/, '$1<integer>4</integer>'),
        );
      },
    });
    cleanup = () => sb.cleanup();
    // Every bootstrap went to this user's GUI domain.
    const domains = sb.runner.calls.filter((c) => c[1] === 'bootstrap').map((c) => c[2]);
    expect(new Set(domains)).toEqual(new Set([`gui/${uid}`]));
    // An update reloads: the repaired agent was booted out before it was bootstrapped again.
    expect(
      sb.runner.calls.some(
        (c) => c[1] === 'bootout' && c[2] === `gui/${uid}/dev.sched.billing.nightly-report`,
      ),
    ).toBe(true);
  });

  it("refuses a job zone other than the host's, naming the job", async () => {
    vi.stubEnv('TZ', 'UTC');
    const yaml = cycleYaml('launchd', 'billing', ['a', 'b']).replace(
      '  b:\n',
      '  b:\n    timezone: America/New_York\n',
    );
    const sb = await sandbox((home) => new FakeLaunchd(new NodeDirFs(agents(home)), { uid }), yaml);
    cleanup = () => sb.cleanup();
    const err = await rejection(sb.plan());
    expect(err).toBeInstanceOf(InvalidConfigError);
    const diags = (err as InvalidConfigError).diagnostics;
    expect(diags.map((d) => d.code)).toEqual(['backend-launchd']);
    expect(diags[0]!.message).toMatch(/^job 'b' cannot .*launchd.*America\/New_York/);
    expect(sb.runner.calls.filter((c) => c[1] === 'bootstrap')).toEqual([]);
  });

  it('installs the catch-up agent with the first catch_up job and removes it on destroy', async () => {
    vi.stubEnv('TZ', 'UTC');
    const yaml = cycleYaml('launchd', 'billing', ['a', 'b']).replace('  b:\n', '  b:\n    catch_up: true\n');
    const sb = await sandbox((home) => new FakeLaunchd(new NodeDirFs(agents(home)), { uid }), yaml);
    cleanup = () => sb.cleanup();
    const first = (await sb.plan()).plan;
    expect(first.jobs.find((j) => j.job === '')?.action).toBe('create');
    await sb.apply();
    const labels = [...sb.runner.loaded.keys()].sort();
    expect(labels).toHaveLength(3);
    expect(labels.filter((l) => !['dev.sched.billing.a', 'dev.sched.billing.b'].includes(l))).toHaveLength(1);
    expectNoChanges((await sb.plan()).plan);
    await sb.apply({ destroy: true });
    expect([...sb.runner.loaded.keys()]).toEqual([]);
    expect(await plists(sb)).toEqual(new Map());
  });
});
