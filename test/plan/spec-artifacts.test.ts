import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/model/job.js';
import {
  canonicalJson,
  desiredSpecArtifact,
  installedSpecArtifact,
  specFromArtifact,
} from '../../src/plan/spec-artifacts.js';
import { runCapabilitiesOf } from '../../src/backends/registry.js';

const job: Job = {
  project: 'p',
  name: 'nightly',
  description: 'quotes " and newlines \n and ünïcødé',
  schedule: { kind: 'cron', expr: '0 2 * * *', source: '0 2 * * *' },
  command: { argv: ['node', 'report.js', '--since', 'yesterday'] },
  workingDir: '/srv/app',
  env: { B: '2', A: '1' },
  envFile: '/srv/app/.env',
  timezone: 'Europe/Istanbul',
  timeoutSeconds: 1800,
  overlap: 'skip',
  catchUp: true,
  retries: { max: 2, delaySeconds: 60 },
  jitterSeconds: 0,
  enabled: true,
};

describe('the applied spec as an artifact', () => {
  it('reads back exactly the job it was made from', () => {
    const artifact = desiredSpecArtifact('systemd', job);
    const spec = specFromArtifact(
      artifact.content,
      '/srv/app/schedules.yaml',
      new Date('2026-01-01T00:00:00Z'),
      runCapabilitiesOf,
    );
    expect(spec.job).toEqual(job);
    expect(spec.backend).toBe('systemd');
    expect(spec.format_version).toBe(2);
    expect(spec.capabilities).toEqual(runCapabilitiesOf('systemd', job));
  });

  it('puts one field per line, so a change shows as one changed line', () => {
    const before = desiredSpecArtifact('systemd', job).content.split('\n');
    const after = desiredSpecArtifact('systemd', { ...job, timeoutSeconds: 60 }).content.split('\n');
    expect(before.filter((l, i) => l !== after[i])).toEqual(['timeoutSeconds: 1800']);
  });

  it('hashes the same job the same way whether desired or installed', () => {
    const spec = specFromArtifact(
      desiredSpecArtifact('crontab', job).content,
      '/f',
      new Date(),
      runCapabilitiesOf,
    );
    expect(installedSpecArtifact(spec).recordedHash).toBe(desiredSpecArtifact('crontab', job).hash);
    expect(desiredSpecArtifact('crontab', { ...job, env: { A: '1', B: '2' } }).hash).toBe(
      desiredSpecArtifact('crontab', job).hash,
    );
  });
});

describe('canonicalJson', () => {
  /** The definition: JSON.stringify of a copy whose object keys are sorted, undefined members dropped. */
  function sortedCopy(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortedCopy);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) {
        const v = (value as Record<string, unknown>)[key];
        if (v !== undefined) out[key] = sortedCopy(v);
      }
      return out;
    }
    return value;
  }

  it('is JSON.stringify of the key-sorted copy, for any JSON-like value (fast-check)', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.string(),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
      ),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(
          fc.oneof(
            fc.string(),
            fc.constantFrom('0', '1', '10', '2', '01', '-1', '4294967294', '4294967295', '__proto__'),
          ),
          tie('node'),
          { maxKeys: 5 },
        ),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(JSON.stringify(sortedCopy(v)));
      }),
      { numRuns: 500 },
    );
  });
});
