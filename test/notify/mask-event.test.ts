/** Masking of secret URLs and the choice of event for a run's outcome (pure parts of src/notify/). */
import { describe, expect, it } from 'vitest';
import { capTail, eventForOutcome, previousOutcome, wants } from '../../src/notify/event.js';
import { expandVars, maskSpecText, maskUrl } from '../../src/notify/mask.js';
import type { Notifier } from '../../src/model/job.js';
import type { RunRecord } from '../../src/state/runs.js';

describe('maskUrl', () => {
  it('keeps scheme and host, hides path, query and user info', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/XXXX')).toBe('https://hooks.slack.com/•••');
    expect(maskUrl('https://user:pw@example.com/')).toBe('https://example.com');
    expect(maskUrl('https://example.com?token=1')).toBe('https://example.com/•••');
    expect(maskUrl('${HOOK}')).toBe('${HOOK}');
    expect(maskUrl('${BASE}/ping/abc')).toBe('${BASE}/•••');
    expect(maskUrl('not a url')).toBe('•••');
  });

  it('masks the notify and healthcheck lines of a spec text, with a digest that tells two URLs apart', () => {
    const a = maskSpecText('command: {"argv":["x"]}\nhealthcheck: "https://hc-ping.com/uuid-1"\n');
    const b = maskSpecText('healthcheck: "https://hc-ping.com/uuid-2"\n');
    expect(a).toMatch(
      /^command: \{"argv":\["x"\]\}\nhealthcheck: "https:\/\/hc-ping\.com\/•••#[0-9a-f]{8}"\n$/,
    );
    expect(a).not.toContain('uuid-1');
    expect(a.split('\n')[1]).not.toBe(b.split('\n')[0]);
  });

  it('expands ${VAR} and names, never shows, what is missing', () => {
    expect(expandVars('https://x/${A}', { A: 's3cret' })).toBe('https://x/s3cret');
    expect(() => expandVars('${B}', { A: 's3cret' })).toThrow(
      /^\$\{B\} is not set \(put it in the job's env_file\)$/,
    );
  });
});

describe('events', () => {
  const rec = (id: string, result: RunRecord['result']) => ({ id, result }) as RunRecord;

  it('failure, recovery after a failure, success otherwise; nothing for skips and interruptions', () => {
    expect(eventForOutcome('failed', 'ok')).toBe('failure');
    expect(eventForOutcome('timeout', undefined)).toBe('failure');
    expect(eventForOutcome('ok', 'timeout')).toBe('recovery');
    expect(eventForOutcome('ok', 'ok')).toBe('success');
    expect(eventForOutcome('ok', undefined)).toBe('success');
    expect(eventForOutcome('skipped', 'failed')).toBeUndefined();
    expect(eventForOutcome('interrupted', 'ok')).toBeUndefined();
  });

  it('finds the previous outcome past this run’s own attempts, skips and misses', () => {
    const history = [
      rec('r2', 'failed'),
      rec('r2', 'failed'),
      rec('r2-missed', 'missed'),
      rec('r1', 'skipped'),
      rec('r0', 'ok'),
    ];
    expect(previousOutcome(history, 'r2')).toBe('ok');
    expect(previousOutcome([rec('r3', 'ok'), ...history], 'r3')).toBe('failed');
  });

  it('a recovery reaches notifiers that asked for successes only', () => {
    const n = { command: ['x'], on: ['success'], timeoutSeconds: 1, retries: 0 } as Notifier;
    expect(wants(n, 'recovery')).toBe(true);
    expect(wants(n, 'failure')).toBe(false);
  });

  it('caps the log tail in bytes, from the front', () => {
    const tail = capTail(['é'.repeat(3000), 'last line'], 100);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(100);
    expect(tail.endsWith('last line')).toBe(true);
  });
});
