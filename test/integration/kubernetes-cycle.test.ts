/**
 * The Kubernetes backend end to end through the services, for twelve jobs, against FakeCluster
 * (CronJobs with server defaults, managedFields and server-side-apply ownership). Another
 * project's CronJobs and an unlabelled one in the same namespace are never changed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeCluster } from '../backends/kubernetes/fake-cluster.js';
import { REASONS } from '../../src/plan/types.js';
import { cycleYaml, runCycle } from './cycle.js';
import { actions, expectNoChanges, reasonsOf, sandbox } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk API objects freely
type Obj = Record<string, any>;

const JOBS = [
  'nightly-report',
  'hourly-sync',
  'cleanup',
  'weekly-digest',
  'invoice-run',
  'dunning',
  'ledger-export',
  'cache-warm',
  'backup',
  'audit-log-rotate',
  'metrics-rollup',
  'stale-sessions',
];

const labelsOf = (o: Obj): Record<string, string> => o.metadata?.labels ?? {};
const isBilling = (o: Obj) =>
  labelsOf(o)['app.kubernetes.io/managed-by'] === 'sched' && labelsOf(o)['sched.dev/project'] === 'billing';

function all(cluster: FakeCluster): Obj[] {
  return [...cluster.objects.keys()].sort().map((k) => {
    const [ns, name] = k.split('/') as [string, string];
    return cluster.get(ns, name)!;
  });
}

describe('kubernetes: plan → apply → drift → destroy through the services', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup?.();
  });

  it('runs the whole cycle for twelve jobs; other objects untouched', async () => {
    const sb = await runCycle<FakeCluster>({
      backend: 'kubernetes',
      jobs: JOBS,
      defaults: '  kubernetes:\n    namespace: billing\n    image: ghcr.io/acme/billing:1.4.2\n',
      makeRunner: () => new FakeCluster({ namespaces: ['billing', 'default'] }),
      async seedUnowned(sb) {
        sb.runner.seed({
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'billing-hand-made', namespace: 'billing' },
          spec: {
            schedule: '*/10 * * * *',
            jobTemplate: {
              spec: {
                template: {
                  spec: { restartPolicy: 'OnFailure', containers: [{ name: 'y', image: 'busybox:1.36' }] },
                },
              },
            },
          },
        });
      },
      async foreign(sb) {
        return JSON.stringify(
          all(sb.runner).filter((o) => !isBilling(o)),
          null,
          1,
        );
      },
      async installed(sb) {
        return all(sb.runner)
          .filter(isBilling)
          .map((o) => {
            expect(o.metadata.name).toBe(`billing-${labelsOf(o)['sched.dev/job']}`);
            expect(o.metadata.annotations?.['sched.dev/hash']).toMatch(/^sha256:/);
            return labelsOf(o)['sched.dev/job']!;
          })
          .sort();
      },
      async handEdit(sb, job) {
        sb.runner.edit('billing', `billing-${job}`, (o: Obj) => {
          o.spec.schedule = '15 * * * *';
        });
      },
    });
    cleanup = () => sb.cleanup();
    // Reads are batched: a labelled list per namespace, and at most one named read (the
    // name-clash check) per apply — never one `kubectl get` per job (twelve jobs, seven applies).
    const gets = sb.runner.calls.filter((c) => c.args[0] === 'get');
    const named = gets.filter((c) => !c.args.includes('-l'));
    expect(named.length).toBeLessThanOrEqual(7);
    expect(
      gets
        .filter((c) => c.args.includes('-l'))
        .every((c) => c.args.includes('-o') && c.args.includes('json')),
    ).toBe(true);
    // Deletes name only this project's objects.
    const deleted = sb.runner.calls.filter((c) => c.args[0] === 'delete').map((c) => c.args[2]);
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((n) => JOBS.some((j) => n === `billing-${j}`))).toBe(true);
  });

  it('keeps a paused job registered as a suspended CronJob, and resumes it', async () => {
    const defaults = '  kubernetes:\n    namespace: billing\n    image: ghcr.io/acme/billing:1.4.2\n';
    const active = cycleYaml('kubernetes', 'billing', ['a', 'b'], defaults);
    const paused = active.replace('  b:\n', '  b:\n    enabled: false\n');
    const sb = await sandbox(() => new FakeCluster({ namespaces: ['billing'] }), paused);
    cleanup = () => sb.cleanup();
    const first = (await sb.plan()).plan;
    expect(actions(first)).toEqual({ a: 'create', b: 'create' });
    await sb.apply();
    expect((sb.runner.get('billing', 'billing-b') as Obj).spec.suspend).toBe(true);
    expect((sb.runner.get('billing', 'billing-a') as Obj).spec.suspend).toBe(false);
    expectNoChanges((await sb.plan()).plan);
    await sb.write(active);
    const resume = (await sb.plan()).plan;
    expect(actions(resume)).toEqual({ b: 'update' });
    expect(reasonsOf(resume, 'b')).toEqual([REASONS.changed]);
    await sb.apply();
    expect((sb.runner.get('billing', 'billing-b') as Obj).spec.suspend).toBe(false);
    expectNoChanges((await sb.plan()).plan);
  });
});
