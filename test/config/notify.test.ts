/** notify / healthcheck / metrics in schedules.yaml: resolution into the job model and the checks. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendSettings } from '../../src/backends/registry.js';
import { loadProject } from '../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sched notify-config-'));
  await writeFile(path.join(dir, '.env'), 'SLACK_WEBHOOK=https://hooks.slack.com/services/T/B/secret\n');
  await chmod(path.join(dir, '.env'), 0o600);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(yaml: string) {
  const file = path.join(dir, 'schedules.yaml');
  await writeFile(file, yaml);
  return loadProject(file, {
    displayName: 'schedules.yaml',
    hostTimezone: 'UTC',
    backendSettings: backendSettings(),
  });
}

const codes = (r: Awaited<ReturnType<typeof load>>) => r.diagnostics.map((d) => `${d.line}:${d.code}`);

describe('notify, healthcheck and metrics', () => {
  it('resolves defaults, a replacing list, an empty list and the textfile', async () => {
    const r = await load(`version: 1
project: obs
metrics: { textfile: ./sched.prom }
defaults:
  env_file: .env
  notify:
    - webhook: \${SLACK_WEBHOOK}
      format: slack
    - email: ops@example.com
      on: [failure]
      timeout: 2s
      retries: 0
jobs:
  a: { schedule: "0 2 * * *", command: ["true"], healthcheck: "https://hc-ping.com/\${HC}" }
  b: { schedule: "0 2 * * *", command: ["true"], notify: [{ command: [cat] }] }
  c: { schedule: "0 2 * * *", command: ["true"], notify: [] }
`);
    expect(r.diagnostics).toEqual([]);
    const [a, b, c] = r.project!.jobs;
    expect(a!.notify).toEqual([
      {
        webhook: '${SLACK_WEBHOOK}',
        format: 'slack',
        on: ['failure', 'recovery', 'missed'],
        timeoutSeconds: 5,
        retries: 1,
      },
      { email: 'ops@example.com', on: ['failure'], timeoutSeconds: 2, retries: 0 },
    ]);
    expect(a!.healthcheck).toBe('https://hc-ping.com/${HC}');
    expect(a!.metricsTextfile).toBe(path.join(dir, 'sched.prom'));
    expect(b!.notify).toEqual([
      { command: ['cat'], on: ['failure', 'recovery', 'missed'], timeoutSeconds: 5, retries: 1 },
    ]);
    expect(c!.notify).toBeUndefined();
    expect('notify' in c!).toBe(false); // specs without notifiers keep their old shape (and hash)
  });

  it('reports a notifier of two kinds, format on a command, a bad event, URL and textfile', async () => {
    const r = await load(`version: 1
metrics: { textfile: ./missing-dir/sched.prom }
jobs:
  a:
    schedule: "0 2 * * *"
    command: ["true"]
    notify:
      - { webhook: "https://x.example/h", email: ops@example.com }
      - { command: [cat], format: slack }
      - { webhook: "ftp://x", on: [sometimes] }
      - { on: [failure] }
`);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        '2:metrics-dir-missing',
        '8:notifier-kinds',
        '9:notifier-format',
        '11:notifier-kind',
        '10:bad-format',
        '10:bad-value',
      ]),
    );
    const kind = r.diagnostics.find((d) => d.line === 11)!;
    expect(kind.message).toMatch(
      /must be a notifier: \{webhook: URL\}, \{command: \[argv…\]\} or \{email: ADDRESS\}/,
    );
    expect(r.project).toBeUndefined();
  });

  it('says where a ${VAR} should come from when the job has no env_file', async () => {
    const r = await load(`version: 1
jobs:
  a:
    schedule: "0 2 * * *"
    command: ["true"]
    healthcheck: https://hc-ping.com/\${HC_UUID}
`);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ line: 6, code: 'url-var-without-env-file' });
    expect(r.diagnostics[0]!.message).toContain('${HC_UUID}');
  });
});

describe('on the kubernetes backend', () => {
  it('warns that notify and healthcheck do nothing there', async () => {
    const r = await load(`version: 1
backend: kubernetes
defaults:
  kubernetes: { namespace: batch, image: alpine }
jobs:
  a:
    schedule: "0 2 * * *"
    command: ["true"]
    notify: [{ email: ops@example.com }]
    healthcheck: https://hc-ping.com/x
`);
    expect(r.diagnostics.map((d) => `${d.severity}:${d.line}:${d.code}`)).toEqual([
      'warning:9:not-on-kubernetes',
      'warning:10:not-on-kubernetes',
    ]);
    expect(r.diagnostics[0]!.message).toBe(
      "notify of job 'a' does nothing on the kubernetes backend: the CronJob runs the command itself, not sched run",
    );
    expect(r.diagnostics[1]!.hint).toBe(
      "use the cluster's alerting (e.g. kube-state-metrics' kube_cronjob_status_last_successful_time)",
    );
    expect(r.project).toBeDefined();
  });
});
