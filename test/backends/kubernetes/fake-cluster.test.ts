/**
 * plan → apply → re-plan → hand edit → repair → destroy, for a file of twelve jobs, against the
 * fake cluster, through the real plan engine (src/plan/compute.ts).
 */
import { describe, expect, it } from 'vitest';
import { KubernetesBackend } from '../../../src/backends/kubernetes/index.js';
import { computeJobPlans, type DesiredArtifact, type FoundArtifact } from '../../../src/plan/compute.js';
import type { Job } from '../../../src/model/job.js';
import { UserError } from '../../../src/errors.js';
import { FakeCluster } from './fake-cluster.js';
import { ctx, job, twelveJobs } from './jobs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk parsed manifests freely
type Obj = Record<string, any>;

async function plan(backend: KubernetesBackend, project: string, jobs: Job[], destroy = false) {
  // Paused jobs stay registered (suspended) on this backend: render every job.
  const desired: DesiredArtifact[] = destroy
    ? []
    : jobs.flatMap((j) => backend.render(j, ctx).map((a) => ({ ...a, target: 'kubernetes' as const })));
  const installed: FoundArtifact[] = (await backend.readInstalled(project)).map((a) => ({
    ...a,
    target: 'kubernetes' as const,
  }));
  const plans = computeJobPlans({
    desired,
    installed,
    previouslyApplied: new Set(),
    paused: new Set(),
    destroy,
  });
  return plans.flatMap((p) => p.changes);
}

function foreignObjects(cluster: FakeCluster) {
  // Another project's CronJob and an unlabelled one in the same namespace.
  cluster.seed(
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {
        name: 'payroll-nightly-report',
        namespace: 'billing',
        labels: {
          'app.kubernetes.io/managed-by': 'sched',
          'sched.dev/project': 'payroll',
          'sched.dev/job': 'nightly-report',
        },
        annotations: { 'sched.dev/hash': 'sha256:0000000000000000' },
      },
      spec: {
        schedule: '0 1 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox:1.36' }] },
            },
          },
        },
      },
    },
    'sched',
  );
  cluster.seed({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hand-made', namespace: 'billing' },
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
}

describe('fake cluster: the full life cycle of twelve jobs', () => {
  it('creates, finds no change, shows a hand edit as drift, repairs it, and destroys only its own objects', async () => {
    const cluster = new FakeCluster({ namespaces: ['billing', 'default'] });
    foreignObjects(cluster);
    const untouched = JSON.stringify([
      cluster.get('billing', 'payroll-nightly-report'),
      cluster.get('billing', 'hand-made'),
    ]);
    const backend = new KubernetesBackend({ runner: cluster });
    const jobs = twelveJobs();

    // 1. create
    const first = await plan(backend, 'billing', jobs);
    expect(first.map((c) => c.action)).toEqual(Array(12).fill('create'));
    cluster.calls.length = 0;
    await backend.apply('billing', first);
    const applies = cluster.calls.filter((c) => c.args[0] === 'apply');
    expect(applies).toHaveLength(1);
    expect(applies[0]!.args).toEqual(['apply', '--server-side', '--field-manager=sched', '-f', '-']);
    expect(cluster.objects.size).toBe(14);
    const paused = cluster.get('billing', 'billing-paused') as Obj;
    expect(paused.spec.suspend).toBe(true);
    // server defaults were added and do not count as drift
    expect(
      (cluster.get('billing', 'billing-nightly-report') as Obj).spec.jobTemplate.spec.template.spec
        .containers[0].imagePullPolicy,
    ).toBe('IfNotPresent');

    // 2. no change, with one batched read per namespace
    cluster.calls.length = 0;
    expect(await plan(backend, 'billing', jobs)).toEqual([]);
    expect(cluster.calls.map((c) => c.args.join(' '))).toEqual([
      'get cronjobs -n billing -l app.kubernetes.io/managed-by=sched,sched.dev/project=billing -o json',
    ]);

    // 3. a hand edit (kubectl edit) is drift
    cluster.edit('billing', 'billing-hourly-ping', (o: Obj) => {
      o.spec.schedule = '15 * * * *';
      o.spec.jobTemplate.spec.template.spec.containers[0].image = 'ghcr.io/acme/billing:evil';
    });
    // an edit of a field sched does not set is not drift
    cluster.edit('billing', 'billing-sundays', (o: Obj) => {
      o.metadata.labels['team'] = 'finance';
      o.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy = 'Always';
    });
    const drift = await plan(backend, 'billing', jobs);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({
      action: 'update',
      id: 'billing/billing-hourly-ping',
      reason: 'edited by hand',
    });
    expect(drift[0]!.before!.content).toContain('15 * * * *');

    // 4. repair: a forced apply of that one object (kubectl-edit owns the fields now)
    cluster.calls.length = 0;
    await backend.apply('billing', drift);
    expect(cluster.calls.map((c) => c.args.join(' '))).toEqual([
      'apply --server-side --field-manager=sched --force-conflicts -f -',
    ]);
    expect((cluster.get('billing', 'billing-hourly-ping') as Obj).spec.schedule).toBe('@hourly');
    expect(await plan(backend, 'billing', jobs)).toEqual([]);

    // 5. a change in the file: one job removed, one changed (timeout dropped → field removed by SSA)
    const edited = jobs
      .filter((j) => j.name !== 'odd-days')
      .map((j) => (j.name === 'nightly-report' ? { ...j, timeoutSeconds: undefined } : j));
    const changes = await plan(backend, 'billing', edited);
    expect(changes.map((c) => `${c.action} ${c.id}`).sort()).toEqual([
      'delete billing/billing-odd-days',
      'update billing/billing-nightly-report',
    ]);
    await backend.apply('billing', changes);
    expect(cluster.get('billing', 'billing-odd-days')).toBeUndefined();
    expect(
      (cluster.get('billing', 'billing-nightly-report') as Obj).spec.jobTemplate.spec.template.spec
        .activeDeadlineSeconds,
    ).toBeUndefined();
    expect(await plan(backend, 'billing', edited)).toEqual([]);

    // 6. run-now
    await backend.runNow('billing', 'weekday-sync');
    expect(cluster.jobs).toHaveLength(1);
    const manual = cluster.jobs[0] as Obj;
    expect(manual.metadata.name).toMatch(/^billing-weekday-sync-manual-[0-9a-z]+$/);
    expect(manual.metadata.name.length).toBeLessThanOrEqual(63);
    expect((await backend.history('billing', 'weekday-sync'))[0]).toMatchObject({ result: 'running' });

    // 7. destroy
    const gone = await plan(backend, 'billing', edited, true);
    expect(gone.every((c) => c.action === 'delete')).toBe(true);
    expect(gone).toHaveLength(11);
    await backend.apply('billing', gone);
    expect([...cluster.objects.keys()].sort()).toEqual([
      'billing/hand-made',
      'billing/payroll-nightly-report',
    ]);
    expect(
      JSON.stringify([cluster.get('billing', 'payroll-nightly-report'), cluster.get('billing', 'hand-made')]),
    ).toBe(untouched);
    const deletes = cluster.calls.filter((c) => c.args[0] === 'delete').map((c) => c.args[2]);
    expect(deletes).not.toContain('hand-made');
    expect(deletes).not.toContain('payroll-nightly-report');
  });

  it('refuses a name clash with a CronJob sched did not create', async () => {
    const cluster = new FakeCluster({ namespaces: ['billing'] });
    cluster.seed({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'billing-a', namespace: 'billing' },
      spec: {
        schedule: '0 0 * * *',
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x:1' }] } } } },
      },
    });
    const backend = new KubernetesBackend({ runner: cluster });
    const changes = await plan(backend, 'billing', [job('a')]);
    expect(changes.map((c) => c.action)).toEqual(['create']);
    await expect(backend.apply('billing', changes)).rejects.toThrow(
      /name clash in namespace billing: CronJob billing-a already exists/,
    );
    expect(cluster.calls.some((c) => c.args[0] === 'apply')).toBe(false);
  });

  it('does not force a plain update over another field manager: conflict with a hint', async () => {
    const cluster = new FakeCluster({ namespaces: ['billing'] });
    const backend = new KubernetesBackend({ runner: cluster });
    const created = await plan(backend, 'billing', [job('a')]);
    await backend.apply('billing', created);
    // Another tool (a GitOps controller) applies the same manifest: it co-owns every field.
    const co = await cluster.run(
      'kubectl',
      ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'],
      { input: created[0]!.after!.content },
    );
    expect(co.exitCode).toBe(0);
    const changes = await plan(backend, 'billing', [job('a', { overlap: 'allow' })]);
    expect(changes[0]).toMatchObject({ action: 'update', reason: 'changed in the file' });
    const err = await backend.apply('billing', changes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(
      /another field manager \(argocd-controller\) owns fields sched wants to change: .*\.spec\.concurrencyPolicy/,
    );
    expect((err as UserError).hint).toMatch(/--force-conflicts/);
  });

  it('reads every namespace its jobs use, and all namespaces when it knows none', async () => {
    const cluster = new FakeCluster({ namespaces: ['billing', 'ops'] });
    const backend = new KubernetesBackend({ runner: cluster });
    const jobs = [job('a'), job('b', { kubernetes: { namespace: 'ops', image: 'x:1' } })];
    await backend.apply('billing', await plan(backend, 'billing', jobs));
    expect(cluster.objects.size).toBe(2);
    const fresh = new KubernetesBackend({ runner: cluster });
    cluster.calls.length = 0;
    const found = await fresh.readInstalled('billing');
    expect(found.map((a) => a.id)).toEqual(['billing/billing-a', 'ops/billing-b']);
    expect(cluster.calls.map((c) => c.args.join(' '))).toEqual([
      'get cronjobs --all-namespaces -l app.kubernetes.io/managed-by=sched,sched.dev/project=billing -o json',
    ]);
  });
});
