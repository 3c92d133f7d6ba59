/**
 * `sched ui`'s JSON API, every endpoint, against a real project on the embedded backend with real
 * history (`sched run` of the compiled CLI): the token, Host and Origin checks, read-only mode,
 * 404s, the JSON shapes, ETags, and the actions going through run-now, the YAML editor and
 * plan/apply with the fingerprints of the plan that was shown.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, localExec, sched } from '../e2e/helpers/cli.js';
import { resolveProjects } from '../../src/ui/data.js';
import { startUiServer, type UiServer } from '../../src/ui/server.js';
import type { HostSettings } from '../../src/services/host.js';

const skip = cliSkipReason();
if (skip) console.warn(`[skip] ui api: ${skip}`);
const SLOW_MS = 120_000;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => Record<string, unknown>;
}

function request(
  server: UiServer,
  pathAndQuery: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; token?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { host: `127.0.0.1:${server.port}`, ...options.headers };
  const token = options.token === undefined ? server.token : options.token;
  if (token !== null) headers['x-sched-token'] = token;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: pathAndQuery,
        method: options.method ?? 'GET',
        headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const post = (server: UiServer, p: string, body: unknown, token?: string | null) =>
  request(server, p, { method: 'POST', body, token });

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const YAML = `version: 1
project: ui-api
backend: embedded
# The comments of this file must survive Pause and Resume.
jobs:
  # says hello
  hello:
    schedule: "*/5 * * * *"
    command: ["sh", "-c", "echo hello-from-job"]
  # always fails
  broken:
    schedule: "30 2 * * *"
    timezone: Europe/Berlin   # a zone with clock changes
    command: ["sh", "-c", "echo broken-stderr >&2; exit 3"]
`;

describe.skipIf(skip)('sched ui API', () => {
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  let now: Date | undefined;
  let server: UiServer;
  let readOnly: UiServer;
  const cli = (args: string[]) => sched(localExec(dir), args, { SCHED_HOME: path.join(dir, 'state') });
  const host = (): HostSettings => ({ env, now: now ?? new Date() });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-ui-api-'));
    file = path.join(dir, 'schedules.yaml');
    fs.writeFileSync(file, YAML);
    env = { ...process.env, SCHED_HOME: path.join(dir, 'state') };
    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect((await cli(['run', 'hello', '--project', 'ui-api'])).exitCode).toBe(0);
    expect((await cli(['run', 'hello', '--project', 'ui-api'])).exitCode).toBe(0);
    expect((await cli(['run', 'broken', '--project', 'ui-api'])).exitCode).toBe(3);
    const projects = await resolveProjects(file, false, host());
    server = await startUiServer({ projects, hostSettings: host });
    readOnly = await startUiServer({ projects, hostSettings: host, readOnly: true });
  }, SLOW_MS);

  afterAll(async () => {
    await server?.close();
    await readOnly?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('who may call it', () => {
    it('prints a URL on 127.0.0.1 with a long random token, new for every server', () => {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(readOnly.token).not.toBe(server.token);
    });

    it('answers 401 without a token and 403 with a wrong one, on the API and on the page', async () => {
      for (const p of ['/', '/static/app.js', '/api/projects', '/api/overview', '/api/job?job=hello']) {
        expect((await request(server, p, { token: null })).status, p).toBe(401);
        expect((await request(server, p, { token: 'x'.repeat(32) })).status, p).toBe(403);
        expect((await request(server, p, { token: readOnly.token })).status, p).toBe(403);
      }
      expect((await post(server, '/api/run-now', { job: 'hello' }, null)).status).toBe(401);
      expect((await post(server, '/api/pause', { job: 'hello' }, 'wrong')).status).toBe(403);
    });

    it('trades the token of the URL for an HttpOnly SameSite cookie and drops it from the address', async () => {
      const r = await request(server, `/?token=${server.token}`, { token: null });
      expect(r.status).toBe(303);
      expect(r.headers.location).toBe('/');
      const cookie = r.headers['set-cookie']![0]!;
      expect(cookie).toMatch(
        new RegExp(`^sched_ui_${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/$`),
      );
      const page = await request(server, '/', { token: null, headers: { cookie: cookie.split(';')[0]! } });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toContain('/static/app.js');
      expect((await request(server, '/?token=wrong', { token: null })).status).toBe(403);
      const other = await request(server, '/api/projects', {
        token: null,
        headers: { cookie: 'sched_ui_1=abc' },
      });
      expect(other.status).toBe(401);
    });

    it('refuses a Host header that is not the bound address (DNS rebinding)', async () => {
      for (const h of ['evil.example:' + server.port, `127.0.0.1:${server.port + 1}`, 'evil.example']) {
        const r = await request(server, '/api/projects', { headers: { host: h } });
        expect(r.status, h).toBe(403);
      }
      expect(
        (await request(server, '/api/projects', { headers: { host: `localhost:${server.port}` } })).status,
      ).toBe(200);
    });

    it('refuses a foreign Origin, and accepts its own', async () => {
      const foreign = await request(server, '/api/overview', { headers: { origin: 'http://evil.example' } });
      expect(foreign.status).toBe(403);
      const action = await request(server, '/api/pause', {
        method: 'POST',
        body: { job: 'hello' },
        headers: { origin: `http://127.0.0.1:${server.port + 1}` },
      });
      expect(action.status).toBe(403);
      expect(fs.readFileSync(file, 'utf8')).toBe(YAML);
      const own = await request(server, '/api/projects', {
        headers: { origin: `http://127.0.0.1:${server.port}` },
      });
      expect(own.status).toBe(200);
    });

    it('read-only: every action is 403 and the file is untouched', async () => {
      const projects = await request(readOnly, '/api/projects');
      expect(projects.json().read_only).toBe(true);
      for (const [p, body] of [
        ['/api/run-now', { job: 'hello' }],
        ['/api/pause', { job: 'hello' }],
        ['/api/resume', { job: 'hello' }],
        ['/api/apply', { file_hash: 'sha256:x', host_fingerprint: 'y' }],
      ] as const) {
        const r = await post(readOnly, p, body);
        expect(r.status, p).toBe(403);
        expect(r.json().error).toMatch(/read-only/);
      }
      expect(fs.readFileSync(file, 'utf8')).toBe(YAML);
      expect((await request(readOnly, '/api/overview')).status).toBe(200);
    });

    it('actions are POST only, with a JSON body', async () => {
      for (const p of ['/api/run-now', '/api/pause', '/api/resume', '/api/apply'])
        expect((await request(server, `${p}?job=hello`)).status, p).toBe(405);
      const form = await request(server, '/api/pause', {
        method: 'POST',
        body: { job: 'hello' },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(form.status).toBe(415);
      expect(fs.readFileSync(file, 'utf8')).toBe(YAML);
    });
  });

  it('sched ui refuses a wildcard --host (the Host check needs the one address) and a missing file', async () => {
    const wildcard = await cli(['ui', '--host', '0.0.0.0']);
    expect(wildcard.exitCode).toBe(1);
    expect(wildcard.stderr).toMatch(/^Error: --host 0\.0\.0\.0 listens on every address/m);
    const missing = await cli(['ui', '-f', 'nope.yaml']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('nope.yaml');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  describe('reading', () => {
    it('GET /api/projects', async () => {
      const r = await request(server, '/api/projects');
      expect(r.json()).toEqual({
        format_version: 1,
        read_only: false,
        projects: [{ project: 'ui-api', file }],
      });
    });

    it('GET /api/overview: one row per job with its status, the failed job marked; 304 while nothing changed', async () => {
      const r = await request(server, '/api/overview');
      expect(r.status).toBe(200);
      const body = r.json();
      expect(body).toMatchObject({ format_version: 1, project: 'ui-api', backend: 'embedded', file });
      expect(body.counts).toMatchObject({ failed: 1, ok: 1 });
      expect(Array.isArray(body.banners)).toBe(true);
      const jobs = body.jobs as Record<string, unknown>[];
      expect(jobs.map((j) => [j.job, j.ui_status, j.result, j.exit_code])).toEqual([
        ['broken', 'failed', 'failed', 3],
        ['hello', 'ok', 'ok', 0],
      ]);
      expect(jobs[0]).toMatchObject({ schedule: 'At 02:30', timezone: 'Europe/Berlin', state: 'scheduled' });
      expect(typeof jobs[0]!.next_run).toBe('string');
      const again = await request(server, '/api/overview', { headers: { 'if-none-match': r.headers.etag! } });
      expect(again.status).toBe(304);
      expect(again.body).toBe('');
    });

    it('GET /api/overview?project=unknown is 404', async () => {
      expect((await request(server, '/api/overview?project=nope')).status).toBe(404);
    });

    it('GET /api/timeline: fire times, typical durations, and the clock change of a DST day', async () => {
      now = new Date('2027-03-27T12:00:00Z'); // Europe/Berlin springs forward at 01:00 UTC the next night
      try {
        const r = await request(server, '/api/timeline?hours=24');
        expect(r.status).toBe(200);
        const body = r.json();
        expect(body).toMatchObject({
          format_version: 1,
          project: 'ui-api',
          from: '2027-03-27T12:00:00.000Z',
        });
        const jobs = body.jobs as { job: string; fires: string[]; typical_duration_ms: number | null }[];
        expect(jobs.find((j) => j.job === 'hello')!.fires).toHaveLength(24 * 12);
        expect(jobs.find((j) => j.job === 'hello')!.typical_duration_ms).toEqual(expect.any(Number));
        // 02:30 does not exist in Berlin that night; cron runs it at 03:00 CEST = 01:00 UTC.
        expect(jobs.find((j) => j.job === 'broken')!.fires).toEqual(['2027-03-28T01:00:00.000Z']);
        expect(body.clock_changes).toEqual([
          {
            timezone: 'Europe/Berlin',
            at: '2027-03-28T01:00:00.000Z',
            offset_before: '+01:00',
            offset_after: '+02:00',
            jobs: ['broken'],
          },
        ]);
        const week = (await request(server, '/api/timeline?hours=168')).json();
        expect((week.jobs as { fires: string[] }[])[1]!.fires).toHaveLength(7 * 24 * 12);
      } finally {
        now = undefined;
      }
      expect((await request(server, '/api/timeline?hours=0')).status).toBe(400);
      expect((await request(server, '/api/timeline?hours=abc')).status).toBe(400);
    });

    it('GET /api/job: the row, the applied spec, the native artifact and no drift', async () => {
      const body = (await request(server, '/api/job?job=broken')).json();
      expect(body).toMatchObject({
        format_version: 1,
        project: 'ui-api',
        job: { job: 'broken', ui_status: 'failed' },
      });
      expect(body.applied_spec).toMatchObject({
        backend: 'embedded',
        source_file: file,
        job: { name: 'broken' },
      });
      const artifacts = body.native_artifacts as { id: string; content: string; registered: boolean }[];
      expect(artifacts).toHaveLength(1);
      expect(artifacts[0]).toMatchObject({ id: 'broken.json', registered: true });
      expect(artifacts[0]!.content).toContain('"expr": "30 2 * * *"');
      expect(body.drift).toEqual([]);
    });

    it('GET /api/history: paged, newest first', async () => {
      const all = (await request(server, '/api/history?job=hello')).json();
      expect(all).toMatchObject({ format_version: 1, job: 'hello', page: 1, per_page: 20, total: 2 });
      const runs = all.runs as { id: string; result: string; start: string }[];
      expect(runs).toHaveLength(2);
      expect(runs[0]!.start > runs[1]!.start).toBe(true);
      const second = (await request(server, '/api/history?job=hello&page=2&per_page=1')).json();
      expect((second.runs as { id: string }[]).map((r) => r.id)).toEqual([runs[1]!.id]);
      expect((await request(server, '/api/history?job=hello&page=0')).status).toBe(400);
    });

    it("GET /api/log: the job's log, or one run's lines", async () => {
      const whole = (await request(server, '/api/log?job=broken')).json();
      expect(whole).toMatchObject({ format_version: 1, job: 'broken', run: null, running: false });
      expect(whole.lines).toContainEqual(expect.objectContaining({ stream: 'err', text: 'broken-stderr' }));
      const hello = (await request(server, '/api/history?job=hello')).json().runs as { id: string }[];
      const one = (await request(server, `/api/log?job=hello&run=${hello[1]!.id}`)).json();
      const lines = one.lines as { stream: string; text: string }[];
      expect(lines.filter((l) => l.text === 'hello-from-job')).toHaveLength(1);
      expect(lines.every((l) => !l.text.includes(hello[0]!.id))).toBe(true);
      expect((await request(server, '/api/log?job=hello&run=nope')).status).toBe(404);
    });

    it('GET /api/plan: the plan and its fingerprints', async () => {
      const body = (await request(server, '/api/plan')).json();
      expect(body).toMatchObject({ format_version: 1, project: 'ui-api', empty: true });
      expect(body.file_hash).toMatch(/^sha256:/);
      expect(typeof body.host_fingerprint).toBe('string');
      expect(body.text).toContain('Backend: embedded');
    });

    it('404 for an unknown job on every endpoint that takes one, and for unknown paths', async () => {
      for (const p of ['/api/job', '/api/history', '/api/log', '/api/log/follow'])
        for (const job of ['nope', '../etc', ''])
          expect((await request(server, `${p}?job=${encodeURIComponent(job)}`)).status, `${p} ${job}`).toBe(
            404,
          );
      for (const p of ['/api/run-now', '/api/pause', '/api/resume'])
        expect((await post(server, p, { job: 'nope' })).status, p).toBe(404);
      expect((await request(server, '/api/nothing')).status).toBe(404);
      expect((await request(server, '/static/../server.ts')).status).toBe(404);
      expect((await request(server, '/static/nope.js')).status).toBe(404);
      expect(fs.readFileSync(file, 'utf8')).toBe(YAML);
    });
  });

  it(
    '--all serves every project sched installed for this user, each with its own file',
    async () => {
      const other = path.join(dir, 'other');
      fs.mkdirSync(other);
      fs.writeFileSync(
        path.join(other, 'schedules.yaml'),
        'version: 1\nproject: ui-other\nbackend: embedded\njobs:\n  tick: { schedule: "@daily", command: ["true"] }\n',
      );
      const r = await sched(localExec(other), ['apply', '--auto-approve'], {
        SCHED_HOME: path.join(dir, 'state'),
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const all = await startUiServer({
        projects: await resolveProjects(file, true, host()),
        hostSettings: host,
      });
      try {
        expect((await request(all, '/api/projects')).json().projects).toEqual([
          { project: 'ui-api', file },
          { project: 'ui-other', file: path.join(other, 'schedules.yaml') },
        ]);
        const o = (await request(all, '/api/overview?project=ui-other')).json();
        expect((o.jobs as { job: string }[]).map((j) => j.job)).toEqual(['tick']);
        expect((await request(all, '/api/job?project=ui-other&job=hello')).status).toBe(404);
      } finally {
        await all.close();
      }
      // Without --all, only the file's project.
      expect((await request(server, '/api/overview?project=ui-other')).status).toBe(404);
    },
    SLOW_MS,
  );

  describe('acting', () => {
    it(
      'POST /api/run-now starts a run that lands in history, and GET /api/log/follow streams its output',
      async () => {
        const before = (await request(server, '/api/history?job=hello')).json().total as number;
        let received = '';
        const controller = new AbortController();
        const opened = new Promise<void>((resolve, reject) => {
          const req = http.get(
            {
              host: '127.0.0.1',
              port: server.port,
              path: '/api/log/follow?job=hello',
              headers: { host: `127.0.0.1:${server.port}`, 'x-sched-token': server.token },
              signal: controller.signal,
              agent: false,
            },
            (res) => {
              expect(res.statusCode).toBe(200);
              expect(res.headers['content-type']).toContain('text/event-stream');
              res.setEncoding('utf8').on('data', (d: string) => (received += d));
              res.once('data', () => resolve());
            },
          );
          req.on('error', (e) => {
            if (!controller.signal.aborted) reject(e);
          });
        });
        await opened;
        const started = await post(server, '/api/run-now', { job: 'hello' });
        expect(started.status, started.body).toBe(200);
        expect(started.json()).toMatchObject({ format_version: 1, job: 'hello', backend: 'embedded' });
        await until('the run output on the follow stream', async () =>
          received.includes('"text":"hello-from-job"') ? true : undefined,
        );
        controller.abort();
        await until('the run in history', async () => {
          const h = (await request(server, '/api/history?job=hello')).json();
          const runs = h.runs as { result: string; trigger: string }[];
          return (h.total as number) > before && runs[0]!.result === 'ok' ? true : undefined;
        });
      },
      SLOW_MS,
    );

    it(
      'POST /api/pause edits the file (comments kept) and shows the plan; apply needs that plan, then resume',
      async () => {
        const paused = await post(server, '/api/pause', { job: 'hello' });
        expect(paused.status).toBe(200);
        const plan = paused.json();
        expect(plan).toMatchObject({ format_version: 1, changed: true, empty: false });
        expect(plan.text).toMatch(/~ hello \(paused\)/);
        const text = fs.readFileSync(file, 'utf8');
        expect(text).toContain('# The comments of this file must survive Pause and Resume.');
        expect(text).toContain('timezone: Europe/Berlin   # a zone with clock changes');
        expect(text).toMatch(/hello:\n(.*\n)*\s+enabled: false\n/);
        // The host is untouched until the plan is confirmed.
        let row = ((await request(server, '/api/overview')).json().jobs as Record<string, unknown>[])[1]!;
        expect(row).toMatchObject({ job: 'hello', state: 'scheduled', drift: 'paused', ui_status: 'drift' });

        // The job page shows the drift as diffs: the spec's enabled flag, the record to remove.
        const drift = (await request(server, '/api/job?job=hello')).json().drift as Record<string, string>[];
        expect(drift.map((d) => [d.target, d.action, d.reason])).toEqual(
          expect.arrayContaining([
            ['embedded', 'delete', 'paused'],
            ['state', 'update', 'paused'],
          ]),
        );
        const specDiff = drift.find((d) => d.target === 'state')!.diff;
        expect(specDiff).toContain('-enabled: true');
        expect(specDiff).toContain('+enabled: false');

        // A plan other than the one shown is refused, with the fresh one to review.
        const stale = await post(server, '/api/apply', {
          file_hash: 'sha256:0',
          host_fingerprint: plan.host_fingerprint,
        });
        expect(stale.status).toBe(409);
        expect((stale.json().plan as Record<string, unknown>).file_hash).toBe(plan.file_hash);
        expect((await post(server, '/api/apply', {})).status).toBe(400);

        const applied = await post(server, '/api/apply', {
          file_hash: plan.file_hash,
          host_fingerprint: plan.host_fingerprint,
        });
        expect(applied.status, applied.body).toBe(200);
        expect(applied.json()).toMatchObject({
          status: 'applied',
          summary: { add: 0, change: 1, delete: 0 },
        });
        row = ((await request(server, '/api/overview')).json().jobs as Record<string, unknown>[])[1]!;
        expect(row).toMatchObject({ job: 'hello', state: 'paused', ui_status: 'paused', next_run: null });
        // A paused job is not started by Run now.
        expect((await post(server, '/api/run-now', { job: 'hello' })).status).toBe(400);

        const again = (await post(server, '/api/pause', { job: 'hello' })).json();
        expect(again).toMatchObject({ changed: false, empty: true });

        const resumed = (await post(server, '/api/resume', { job: 'hello' })).json();
        expect(resumed).toMatchObject({ changed: true, empty: false });
        const done = await post(server, '/api/apply', {
          file_hash: resumed.file_hash,
          host_fingerprint: resumed.host_fingerprint,
        });
        expect(done.status, done.body).toBe(200);
        expect(fs.readFileSync(file, 'utf8')).toBe(YAML);
        row = ((await request(server, '/api/overview')).json().jobs as Record<string, unknown>[])[1]!;
        expect(row).toMatchObject({ job: 'hello', state: 'scheduled', drift: null });
      },
      SLOW_MS,
    );

    it('a plan shown before the file changed by hand is not applied', async () => {
      const paused = (await post(server, '/api/pause', { job: 'broken' })).json();
      fs.appendFileSync(file, '# edited by hand after the plan was shown\n');
      const r = await post(server, '/api/apply', {
        file_hash: paused.file_hash,
        host_fingerprint: paused.host_fingerprint,
      });
      expect(r.status).toBe(409);
      const row = ((await request(server, '/api/overview')).json().jobs as Record<string, unknown>[])[0]!;
      expect(row).toMatchObject({ job: 'broken', state: 'scheduled' });
      fs.writeFileSync(file, YAML);
    });

    it('an invalid edit result or bad input is a 4xx with a message, never a stack trace', async () => {
      const bad = await post(server, '/api/pause', { job: 42 });
      expect(bad.status).toBe(404);
      const notJson = await request(server, '/api/pause', {
        method: 'POST',
        body: undefined,
        headers: { 'content-type': 'application/json' },
      });
      expect(notJson.status).toBe(404); // `{}` names no job
      expect(notJson.json().error).not.toMatch(/at .*\.js/);
    });
  });
});
