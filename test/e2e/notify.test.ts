/**
 * Notifications from real `sched run` processes: jobs applied to the real crontab of a throw-away
 * user, each started with the exact command line of its crontab entry (as cron would, without a
 * cron daemon), deliver webhook events and healthchecks.io pings to an HTTP server on 127.0.0.1.
 * A closed port and a server that never answers leave the exit code unchanged and the run
 * bounded; the secrets in the URLs (from env_file) appear in no output, log or history.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, REPO_ROOT, sched as schedVia } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e notifications: ${skip}`);

const HOOK_SECRET = 'hooktoken-5f1c2a9e';
const HC_SECRET = 'hcuuid-0b7d44e1';
const LITERAL_SECRET = 'literal-9a8b7c6d';

interface Received {
  method: string;
  url: string;
  body: string;
}

/** Records every request; answers 200 except below /hang/, where it never answers. */
async function startServer(): Promise<{ port: number; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      got.push({ method: req.method!, url: req.url!, body });
      if (req.url!.startsWith('/hang/')) hanging.push(res);
      else res.end('OK');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    got,
    close: () =>
      new Promise((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Each test spawns several CLI processes; a loaded CI machine with parallel files is slow. */
const SLOW_MS = 120_000;

describe.skipIf(skip)('notifications from sched run of jobs in a real crontab', () => {
  let user: CronUser;
  let server: Awaited<ReturnType<typeof startServer>>;
  let file: string;
  let eventsFile: string;
  const outputs: string[] = [];
  const cli = async (args: string[]) => {
    const r = await schedVia(execAs(user), args);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  /** The crontab entry's command of `job`, run as the user through /bin/sh like cron does. */
  const fire = async (job: string) => {
    const line = user
      .read()!
      .split('\n')
      .find((l) => l.endsWith(` ${job}`) && !l.startsWith('#'));
    expect(line, `crontab entry of ${job}`).toBeDefined();
    const command = line!.split(/\s+/).slice(5).join(' ');
    const t0 = Date.now();
    const r = await execAs(user)('sh', ['-c', command], { SCHED_NOTIFY_RETRY_DELAY_MS: '200' });
    outputs.push(r.stdout, r.stderr);
    return { ...r, ms: Date.now() - t0 };
  };
  const hits = (prefix: string) => server.got.filter((g) => g.url.startsWith(prefix));
  /** Polls until `cond` holds (deliveries are over when sched run exits, but the server sees them async). */
  async function until(cond: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    server = await startServer();
    user = createCronUser();
    const closed = await closedPort();
    const base = `http://127.0.0.1:${server.port}`;
    file = path.join(user.home, 'schedules.yaml');
    eventsFile = path.join(user.home, 'events.jsonl');
    user.writeOwned(
      path.join(user.home, '.env'),
      `HOOK=${base}/hook/${HOOK_SECRET}\nHC=${base}/hc/${HC_SECRET}\nHANG=${base}/hang/${HOOK_SECRET}\n` +
        `CLOSED=http://127.0.0.1:${closed}/x/${HOOK_SECRET}\n`,
    );
    spawnSync('chmod', ['600', path.join(user.home, '.env')]);
    user.writeOwned(
      file,
      `version: 1
project: e2e-notify
backend: crontab
defaults:
  env_file: .env
  notify:
    - webhook: \${HOOK}
      on: [failure, recovery, success, start]
    - command: ["sh", "-c", "cat >> ${eventsFile}"]
      on: [failure, recovery, success, start]
jobs:
  good:
    schedule: "* * * * *"
    command: ["true"]
    healthcheck: \${HC}
  flaky:
    schedule: "* * * * *"
    command: ["sh", "-c", "echo trying; test -f ${user.home}/fixed || exit 3"]
    healthcheck: \${HC}
  unreachable:
    schedule: "* * * * *"
    command: ["sh", "-c", "exit 4"]
    notify: [{ webhook: "\${CLOSED}", timeout: 1s, retries: 1 }]
  silent-server:
    schedule: "* * * * *"
    command: ["true"]
    notify: [{ webhook: "\${HANG}", on: [success], timeout: 1s, retries: 1 }]
  literal:
    schedule: "0 3 * * *"
    command: ["true"]
    healthcheck: ${base}/hc/${LITERAL_SECRET}
`,
    );
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
  });
  afterAll(async () => {
    user?.remove();
    await server?.close();
  }, SLOW_MS);

  it(
    'sends start and success to the webhook and pings the healthcheck /start then its URL',
    async () => {
      const r = await fire('good');
      expect(r.exitCode, r.stderr).toBe(0);
      await until(() => hits(`/hc/${HC_SECRET}`).length >= 2, 'two healthcheck pings');
      expect(hits(`/hc/${HC_SECRET}`).map((g) => `${g.method} ${g.url}`)).toEqual([
        `GET /hc/${HC_SECRET}/start`,
        `POST /hc/${HC_SECRET}`,
      ]);
      const events = hits('/hook/').map((g) => JSON.parse(g.body) as Record<string, unknown>);
      expect(events.map((e) => `${e.event} ${e.job}`)).toEqual(['start good', 'success good']);
      expect(events[1]).toMatchObject({ result: 'ok', exit_code: 0, backend: 'crontab', attempts: 1 });
    },
    SLOW_MS,
  );

  it(
    'reports a failure with the exit code (run exit code unchanged), then the recovery',
    async () => {
      server.got.length = 0;
      const failed = await fire('flaky');
      expect(failed.exitCode).toBe(3);
      await until(() => hits(`/hc/${HC_SECRET}/3`).length === 1, 'the failure ping');
      user.writeOwned(path.join(user.home, 'fixed'), '');
      const ok = await fire('flaky');
      expect(ok.exitCode).toBe(0);
      await until(() => hits('/hook/').length === 4, 'four webhook events');
      const events = hits('/hook/').map((g) => JSON.parse(g.body) as Record<string, unknown>);
      expect(events.map((e) => e.event)).toEqual(['start', 'failure', 'start', 'recovery']);
      expect(events[1]).toMatchObject({ job: 'flaky', result: 'failed', exit_code: 3 });
      expect(events[1]!.log_tail).toContain('trying');
      expect(hits(`/hc/${HC_SECRET}`).map((g) => g.url)).toEqual([
        `/hc/${HC_SECRET}/start`,
        `/hc/${HC_SECRET}/3`,
        `/hc/${HC_SECRET}/start`,
        `/hc/${HC_SECRET}`,
      ]);
    },
    SLOW_MS,
  );

  it(
    'gives a command notifier events that match schemas/notification-event.schema.json',
    () => {
      const schema = JSON.parse(
        readFileSync(path.join(REPO_ROOT, 'schemas', 'notification-event.schema.json'), 'utf8'),
      ) as object;
      const ajv = new Ajv2020({ strict: true, allErrors: true });
      (addFormats as unknown as (a: Ajv2020) => void)(ajv);
      const validate = ajv.compile(schema);
      const events = readFileSync(eventsFile, 'utf8').trim().split('\n');
      expect(events.length).toBeGreaterThanOrEqual(6);
      for (const line of events) {
        const e = JSON.parse(line) as unknown;
        expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
      }
    },
    SLOW_MS,
  );

  it(
    'a closed port: exit code unchanged, the failure in the run log and in sched history',
    async () => {
      const r = await fire('unreachable');
      expect(r.exitCode).toBe(4);
      const history = await cli(['history', 'unreachable', '--project', 'e2e-notify', '--json']);
      const { runs } = JSON.parse(history.stdout) as { runs: { result: string; notify_failed?: string[] }[] };
      expect(runs[0]!.result).toBe('failed');
      expect(runs[0]!.notify_failed?.join('\n')).toMatch(/failure to webhook \$\{CLOSED\}: ECONNREFUSED/);
      const text = await cli(['history', 'unreachable', '--project', 'e2e-notify']);
      expect(text.stdout).toMatch(/notification failed: failure to webhook \$\{CLOSED\}: ECONNREFUSED/);
      const logs = await cli(['logs', 'unreachable', '--project', 'e2e-notify']);
      expect(logs.stdout).toMatch(/notification failed: failure to webhook/);
    },
    SLOW_MS,
  );

  it(
    'a server that never answers: exit code unchanged and the run bounded by timeout × attempts',
    async () => {
      server.got.length = 0;
      const r = await fire('silent-server');
      expect(r.exitCode).toBe(0);
      expect(hits('/hang/')).toHaveLength(2); // the attempt and its one retry
      // 2 attempts × 1 s + a 0.2 s pause, plus node's start: far below what an unbounded wait would be.
      expect(r.ms).toBeLessThan(30_000);
      const history = await cli(['history', 'silent-server', '--project', 'e2e-notify', '--json']);
      expect(history.stdout).toMatch(/no answer within 1 s/);
    },
    SLOW_MS,
  );

  it(
    'masks a literal secret in the plan and never shows any secret anywhere',
    async () => {
      const text = readFileSync(file, 'utf8').replace(LITERAL_SECRET, `${LITERAL_SECRET}-2`);
      user.writeOwned(file, text);
      const plan = await cli(['plan', '-f', file]);
      expect(plan.stdout).toMatch(/healthcheck: "http:\/\/127\.0\.0\.1:\d+\/•••#[0-9a-f]{8}"/);
      await cli(['status', '-f', file]);
      const state = path.join(user.home, '.local', 'state', 'sched');
      // The applied specs (each spec.json and the project's applied.json manifest) and the loader's
      // cache hold the file as written, like the YAML itself: private to the user.
      const copies = walk(state).filter(
        (f) =>
          f.endsWith('spec.json') ||
          f.endsWith(`${path.sep}applied.json`) ||
          f.includes(`${path.sep}cache${path.sep}`),
      );
      for (const f of copies) expect(statSync(f).mode & 0o077, f).toBe(0);
      const files = walk(state).filter((f) => !copies.includes(f));
      const everything = [...outputs, ...files.map((f) => readFileSync(f, 'utf8'))].join('\n');
      expect(everything).toContain('notification failed'); // the texts searched are the real ones
      for (const secret of [HOOK_SECRET, HC_SECRET, LITERAL_SECRET]) expect(everything).not.toContain(secret);
    },
    SLOW_MS,
  );
});
