/**
 * Opt-in: the Kubernetes backend against a REAL cluster. Runs only when KUBECONFIG points at a
 * kubeconfig file and `kubectl` is on PATH; otherwise it is skipped with a message saying why.
 * It works in a fresh namespace `sched-e2e-<random>` that it creates and deletes, and never
 * touches anything else. Try it with kind:
 *   kind create cluster && KUBECONFIG=~/.kube/config npx vitest run test/e2e/kubernetes-real.test.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesBackend } from '../../src/backends/kubernetes/index.js';
import { NodeRunner } from '../../src/platform/node.js';
import { computeJobPlans } from '../../src/plan/compute.js';
import type { Job } from '../../src/model/job.js';
import type { RenderContext } from '../../src/backends/types.js';

function skipReason(): string | undefined {
  const kc = process.env.KUBECONFIG;
  if (!kc)
    return 'KUBECONFIG is not set (set it to a kubeconfig of a throw-away cluster, e.g. kind, to run this test)';
  if (!kc.split(':').some((f) => existsSync(f))) return `KUBECONFIG=${kc} names no existing file`;
  const v = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return 'kubectl is not installed or not on PATH';
  const ping = spawnSync('kubectl', ['get', '--raw', '/readyz'], { encoding: 'utf8', timeout: 15_000 });
  if (ping.status !== 0)
    return `the cluster in KUBECONFIG does not answer: ${(ping.stderr || '').trim().split('\n')[0]}`;
  return undefined;
}

const skip = skipReason();
if (skip) console.warn(`[skip] e2e Kubernetes on a real cluster: ${skip}`);

const ns = `sched-e2e-${randomBytes(4).toString('hex')}`;
const ctx: RenderContext = {
  nodePath: '/usr/bin/node',
  schedBin: '/x/run.js',
  stateDir: '/tmp/x',
  hostTimezone: 'Etc/UTC',
  homeDir: '/tmp',
};
const kubectl = (...args: string[]) => spawnSync('kubectl', args, { encoding: 'utf8' });

function job(name: string, over: Partial<Job> = {}): Job {
  return {
    project: 'sched-e2e',
    name,
    schedule: { kind: 'cron', expr: '*/5 * * * *', source: '*/5 * * * *' },
    command: { argv: ['sh', '-c', 'echo hello from $(JOB) $$'] },
    workingDir: '/',
    env: { JOB: name },
    timezone: 'Europe/Berlin',
    overlap: 'skip',
    catchUp: true,
    retries: { max: 1, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
    kubernetes: { namespace: ns, image: 'busybox:1.36' },
    ...over,
  };
}

describe.skipIf(skip !== undefined)('Kubernetes backend on a real cluster (opt-in)', () => {
  beforeAll(() => {
    expect(kubectl('create', 'namespace', ns).status).toBe(0);
  });
  afterAll(() => {
    kubectl('delete', 'namespace', ns, '--wait=false');
  });

  it('applies, is in sync, sees a kubectl edit as drift, repairs it, runs now, and destroys', async () => {
    const backend = new KubernetesBackend({ runner: new NodeRunner() });
    const jobs = [
      job('a'),
      job('b', { enabled: false, overlap: 'replace' }),
      job('c', { schedule: { kind: 'cron', expr: '0 9 * * 1-5', source: 'weekday' } }),
    ];
    const changes = async (destroy = false) => {
      const desired = destroy
        ? []
        : jobs.flatMap((j) => backend.render(j, ctx)).map((a) => ({ ...a, target: 'kubernetes' as const }));
      const installed = (await backend.readInstalled('sched-e2e')).map((a) => ({
        ...a,
        target: 'kubernetes' as const,
      }));
      return computeJobPlans({
        desired,
        installed,
        previouslyApplied: new Set(),
        paused: new Set(),
        destroy,
      }).flatMap((p) => p.changes);
    };
    await backend.apply('sched-e2e', await changes());
    expect(await changes()).toEqual([]);

    expect(
      kubectl(
        'patch',
        'cronjob',
        'sched-e2e-a',
        '-n',
        ns,
        '--type=merge',
        '-p',
        '{"spec":{"schedule":"*/7 * * * *"}}',
      ).status,
    ).toBe(0);
    const drift = await changes();
    expect(drift.map((c) => c.id)).toEqual([`${ns}/sched-e2e-a`]);
    await backend.apply('sched-e2e', drift);
    expect(await changes()).toEqual([]);

    await backend.runNow('sched-e2e', 'a');
    const jobsOut = kubectl('get', 'jobs', '-n', ns, '-o', 'name');
    expect(jobsOut.stdout).toMatch(/sched-e2e-a-manual-/);

    await backend.apply('sched-e2e', await changes(true));
    expect(kubectl('get', 'cronjobs', '-n', ns, '-o', 'name').stdout.trim()).toBe('');
  }, 120_000);
});
