/** The backend driven by kubectl transcripts (test/fixtures/kubectl/): success and each failure. */
import { describe, expect, it } from 'vitest';
import { KubernetesBackend } from '../../../src/backends/kubernetes/index.js';
import type { ArtifactChange } from '../../../src/backends/types.js';
import { ExternalCommandError, UserError } from '../../../src/errors.js';
import { computeJobPlans } from '../../../src/plan/compute.js';
import { loadTranscript, ReplayRunner } from './replay.js';
import { ctx, job } from './jobs.js';

const nightly = job('nightly-report', {
  timeoutSeconds: 1800,
  retries: { max: 2, delaySeconds: 0 },
  catchUp: true,
});
const clock = { now: () => new Date('2026-01-15T18:04:48Z') };

function backendFor(name: string) {
  const runner = new ReplayRunner(loadTranscript(name));
  return { runner, backend: new KubernetesBackend({ runner, clock }) };
}

async function planChanges(backend: KubernetesBackend, jobs = [nightly]): Promise<ArtifactChange[]> {
  const desired = jobs
    .flatMap((j) => backend.render(j, ctx))
    .map((a) => ({ ...a, target: 'kubernetes' as const }));
  const installed = (await backend.readInstalled('billing')).map((a) => ({
    ...a,
    target: 'kubernetes' as const,
  }));
  return computeJobPlans({ desired, installed, previouslyApplied: new Set(), paused: new Set() }).flatMap(
    (p) => p.changes,
  );
}

async function failure(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('kubectl transcripts', () => {
  it('success: create, in sync on re-read, run-now, delete', async () => {
    const { runner, backend } = backendFor('success');
    const changes = await planChanges(backend);
    expect(changes.map((c) => c.action)).toEqual(['create']);
    await backend.apply('billing', changes);
    // The server's copy (defaults, managedFields, status, uid) reads back as in sync.
    expect(await planChanges(backend)).toEqual([]);
    await backend.runNow('billing', 'nightly-report');
    const installed = changes[0]!.after!;
    await backend.apply('billing', [
      {
        action: 'delete',
        id: installed.id,
        job: installed.job,
        kind: 'cronjob',
        before: { ...installed, recordedHash: installed.hash, actualHash: installed.hash, registered: true },
      },
    ]);
    runner.done();
  });

  it('namespace not found', async () => {
    const { runner, backend } = backendFor('namespace-not-found');
    const err = await failure(planChanges(backend).then((c) => backend.apply('billing', c)));
    expect(err.message).toBe('applying CronJobs: namespace billing does not exist');
    expect(err.hint).toMatch(/kubectl create namespace billing/);
    runner.done();
  });

  it('run-now of a CronJob that is not there', async () => {
    const { runner, backend } = backendFor('cronjob-not-found');
    backend.useJobs([nightly]);
    const err = await failure(backend.runNow('billing', 'nightly-report'));
    expect(err.message).toMatch(/has no CronJob on the cluster/);
    runner.done();
  });

  it('forbidden', async () => {
    const { runner, backend } = backendFor('forbidden');
    backend.render(nightly, ctx);
    const err = await failure(backend.readInstalled('billing'));
    expect(err.message).toMatch(
      /^reading CronJobs in namespace billing: the cluster refused: cronjobs.batch is forbidden: User "system:serviceaccount:ci:deployer" cannot list/,
    );
    expect(err.hint).toMatch(/kubectl auth can-i/);
    runner.done();
  });

  it('conflict with another field manager: not forced, the user is told', async () => {
    const { runner, backend } = backendFor('conflict');
    const [after] = backend.render(nightly, ctx);
    const before = {
      ...after!,
      content: after!.content,
      recordedHash: 'sha256:1111111111111111',
      actualHash: 'sha256:1111111111111111',
      registered: true,
    };
    const err = await failure(
      backend.apply('billing', [
        { action: 'update', id: after!.id, job: after!.job, kind: 'cronjob', before, after },
      ]),
    );
    expect(err.message).toBe(
      'applying CronJobs: another field manager (argocd-controller) owns fields sched wants to change: .spec.schedule, .spec.concurrencyPolicy',
    );
    expect(err.hint).toMatch(/never passes --force-conflicts on its own/);
    runner.done();
  });

  it('unknown time zone', async () => {
    const { runner, backend } = backendFor('unknown-time-zone');
    const [after] = backend.render({ ...nightly, timezone: 'Mars/Olympus_Mons' }, ctx);
    const err = await failure(
      backend.apply('billing', [
        {
          action: 'update',
          id: after!.id,
          job: after!.job,
          kind: 'cronjob',
          after,
          before: {
            ...after!,
            recordedHash: 'sha256:2222222222222222',
            actualHash: 'sha256:2222222222222222',
            registered: true,
          },
        },
      ]),
    );
    expect(err.message).toBe('applying CronJobs: the cluster does not know the time zone Mars/Olympus_Mons');
    runner.done();
  });

  it('unknown kubectl context', async () => {
    const { runner, backend } = backendFor('no-context');
    backend.render({ ...nightly, kubernetes: { ...nightly.kubernetes!, context: 'prod' } }, ctx);
    const err = await failure(backend.readInstalled('billing'));
    expect(err.message).toMatch(/kubectl has no context prod/);
    runner.done();
  });

  it('an unrecognised failure is an ExternalCommandError with the command', async () => {
    const runner = { run: async () => ({ exitCode: 2, stdout: '', stderr: 'panic: something odd\n' }) };
    const backend = new KubernetesBackend({ runner, targets: [{ namespace: 'billing' }] });
    const err = await backend.readInstalled('billing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalCommandError);
    expect((err as ExternalCommandError).command[0]).toBe('kubectl');
  });

  it('detect: kubectl present or absent', async () => {
    const present = new KubernetesBackend({
      runner: {
        run: async () => ({ exitCode: 0, stdout: '{"clientVersion":{"gitVersion":"v1.31.0"}}', stderr: '' }),
      },
    });
    expect(await present.detect()).toMatchObject({ available: true });
    const absent = new KubernetesBackend({
      runner: {
        run: async () => {
          throw Object.assign(new Error('spawn kubectl ENOENT'), { code: 'ENOENT' });
        },
      },
    });
    expect(await absent.detect()).toEqual({
      available: false,
      reason: 'kubectl is not installed or not on PATH',
    });
  });
});
