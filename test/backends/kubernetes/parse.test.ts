import { describe, expect, it } from 'vitest';
import {
  installedFromObject,
  jobRunFromObject,
  parseConflict,
  parseKubectlObjects,
  statusFromObject,
} from '../../../src/backends/kubernetes/parse.js';
import { renderCronJob } from '../../../src/backends/kubernetes/render.js';
import { parse } from 'yaml';
import { loadTranscript } from './replay.js';
import { job } from './jobs.js';

const serverList = loadTranscript('success')[3]!.stdout;

describe('kubectl output', () => {
  it('reads a List, a single object and empty output', () => {
    expect(parseKubectlObjects(serverList)).toHaveLength(1);
    const single = JSON.stringify(parseKubectlObjects(serverList)[0]);
    expect(parseKubectlObjects(single)).toHaveLength(1);
    expect(parseKubectlObjects('')).toEqual([]);
    expect(() => parseKubectlObjects('No resources found')).toThrow(/not JSON/);
  });

  it('projects a server object (defaults, managedFields, status) onto what sched rendered', () => {
    const [o] = parseKubectlObjects(serverList);
    const a = installedFromObject(o!, 'billing')!;
    const rendered = renderCronJob(
      job('nightly-report', { timeoutSeconds: 1800, retries: { max: 2, delaySeconds: 0 }, catchUp: true }),
    );
    expect(a.content).toBe(rendered.content);
    expect(a.recordedHash).toBe(rendered.hash);
    expect(a.actualHash).toBe(rendered.hash);
    expect(a).toMatchObject({
      id: 'billing/billing-nightly-report',
      job: 'nightly-report',
      kind: 'cronjob',
      registered: true,
    });
  });

  it('ignores objects without both labels of the project', () => {
    const [o] = parseKubectlObjects(serverList);
    expect(installedFromObject(o!, 'payroll')).toBeUndefined();
    const unlabelled = { ...o!, metadata: { name: 'x', namespace: 'billing' } };
    expect(installedFromObject(unlabelled, 'billing')).toBeUndefined();
  });

  it('an owned object without a valid hash annotation has no recordedHash (not written by sched)', () => {
    const o = parse(renderCronJob(job('a')).content) as Record<string, Record<string, unknown>>;
    o.metadata!.annotations = { 'sched.dev/hash': 'tampered' };
    expect(installedFromObject(o, 'billing')!.recordedHash).toBeUndefined();
  });

  it('reads status and job runs', () => {
    const [o] = parseKubectlObjects(serverList);
    expect(statusFromObject(o!)).toEqual({
      job: 'nightly-report',
      id: 'billing/billing-nightly-report',
      suspended: false,
      lastScheduleTime: '2026-01-15T02:00:00Z',
      lastSuccessfulTime: '2026-01-15T02:00:41Z',
      active: 0,
    });
    expect(
      jobRunFromObject({
        metadata: { name: 'j' },
        status: { startTime: 't', conditions: [{ type: 'Failed', status: 'True' }] },
      }),
    ).toMatchObject({ result: 'failed' });
    expect(
      jobRunFromObject({
        metadata: { name: 'j' },
        status: { conditions: [{ type: 'Complete', status: 'True' }] },
      }),
    ).toMatchObject({ result: 'succeeded' });
  });

  it('reads one and several conflicts', () => {
    expect(
      parseConflict(
        'error: Apply failed with 1 conflict: conflict with "kubectl-edit" using batch/v1: .spec.schedule\nPlease review',
      ),
    ).toEqual({
      managers: ['kubectl-edit'],
      fields: ['.spec.schedule'],
    });
    expect(parseConflict(loadTranscript('conflict')[0]!.stderr)).toEqual({
      managers: ['argocd-controller'],
      fields: ['.spec.schedule', '.spec.concurrencyPolicy'],
    });
    expect(parseConflict('Error from server (NotFound): x')).toBeUndefined();
  });
});
