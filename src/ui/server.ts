/**
 * `sched ui`'s HTTP server (Node's own `http`): the static page and a small JSON API.
 *
 * Who may drive it: the token printed with the URL (random per start). The page's first GET
 * carries it as `?token=`; the server answers with an HttpOnly, SameSite=Strict cookie and a
 * redirect that drops it from the address bar. Every request then needs the cookie or an
 * `X-Sched-Token` header. Another local user or a web page in the browser has neither. The
 * Host header must name the address the server is bound to (a DNS-rebinding page sends its own
 * name), an Origin header, when sent, must be this server, and actions are POSTs with a JSON
 * body (a form of another site cannot send one without a preflight). `readOnly` refuses every
 * action with 403.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidConfigError, UserError } from '../errors.js';
import { followLog, jobLogFile } from '../services/history.js';
import type { HostSettings } from '../services/host.js';
import { isValidJobName } from '../model/job.js';
import { stateRoot } from '../state/paths.js';
import { applyConfirmed, editJob, planView, runJobNow, StaleUiPlanError } from './actions.js';
import {
  backendBanners,
  historyPage,
  jobDetail,
  logView,
  overview,
  parseLogLine,
  timeline,
  UI_FORMAT_VERSION,
  UnknownJobError,
  type Banner,
  type UiProject,
} from './data.js';

export interface UiServerOptions {
  projects: UiProject[];
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  readOnly?: boolean;
  /** The host settings of each request (fresh `now`); tests give their own state dir. */
  hostSettings: () => HostSettings;
  /** The token; random when not given. */
  token?: string;
}

export interface UiServer {
  server: http.Server;
  /** The URL to open, token included. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
/** Doctor runs commands (cron daemon, linger): its banner is refreshed at most this often. */
const BANNER_TTL_MS = 30_000;
const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The Host values that name this server: the bound address, and `localhost` when it is loopback. */
export function allowedHosts(bound: string, port: number): Set<string> {
  const name = bound.includes(':') ? `[${bound}]` : bound;
  const hosts = new Set([`${name}:${port}`]);
  if (bound === '127.0.0.1' || bound === '::1') hosts.add(`localhost:${port}`);
  return hosts;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Static files shipped with the package, read once: nothing else on disk is ever served. */
function loadStatic(): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(STATIC_DIR)) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (type) files.set(name, { body: readFileSync(path.join(STATIC_DIR, name)), type });
  }
  return files;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const bind = options.host ?? '127.0.0.1';
  const statics = loadStatic();
  const projects = new Map(options.projects.map((p) => [p.name, p]));
  const banners = new Map<string, { at: number; value: Promise<Banner[]> }>();
  let hosts = new Set<string>();
  let cookieName = 'sched_ui';

  function bannersOf(project: UiProject, host: HostSettings): Promise<Banner[]> {
    const cached = banners.get(project.name);
    if (cached && Date.now() - cached.at < BANNER_TTL_MS) return cached.value;
    const value = backendBanners(project, host).catch((e: Error) => [
      { id: 'doctor', status: 'warn' as const, message: `doctor could not run: ${e.message}`, fix: null },
    ]);
    banners.set(project.name, { at: Date.now(), value });
    return value;
  }

  function projectOf(url: URL): UiProject {
    const name = url.searchParams.get('project') ?? options.projects[0]!.name;
    const p = projects.get(name);
    if (!p) throw new HttpError(404, `no project ${name} here`, 'GET /api/projects lists them.');
    return p;
  }

  function jobOf(url: URL): string {
    const job = url.searchParams.get('job') ?? '';
    if (!isValidJobName(job)) throw new HttpError(404, `no job '${job}'`);
    return job;
  }

  async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      throw new HttpError(415, 'actions take a JSON body (content-type: application/json)');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
      chunks.push(chunk as Buffer);
    }
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw new HttpError(400, 'the body is not a JSON object');
  }

  function sendJson(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    body: unknown,
  ): void {
    const text = JSON.stringify(body);
    // The ETag leaves out `generated_at`, so polling gets 304 until something really changed.
    const tagged =
      body && typeof body === 'object' && 'generated_at' in body
        ? JSON.stringify({ ...(body as object), generated_at: undefined })
        : text;
    const etag = `"${createHash('sha256').update(tagged).digest('base64url').slice(0, 27)}"`;
    if (status === 200 && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...SECURITY_HEADERS, etag }).end();
      return;
    }
    res
      .writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', etag })
      .end(text);
  }

  function sendError(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
    let status = 500;
    let body: Record<string, unknown>;
    if (err instanceof HttpError) {
      status = err.status;
      body = { error: err.message, hint: err.hint ?? null };
    } else if (err instanceof StaleUiPlanError) {
      status = 409;
      body = { error: err.message, hint: err.hint ?? null, plan: err.fresh };
    } else if (err instanceof UnknownJobError) {
      status = 404;
      body = { error: err.message, hint: err.hint ?? null };
    } else if (err instanceof InvalidConfigError) {
      status = 400;
      const problems = err.diagnostics.filter((d) => d.severity === 'error');
      body = {
        error: `${problems.length} problem(s) in the schedules file`,
        hint: 'Fix it, then try again (`sched validate` shows each with its line).',
        problems: problems.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`),
      };
    } else if (err instanceof UserError) {
      status = /^no job |there is no job/.test(err.message) ? 404 : 400;
      body = { error: err.message, hint: err.hint ?? null };
    } else {
      body = { error: `internal error: ${(err as Error).message}`, hint: null };
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendJson(req, res, status, { format_version: UI_FORMAT_VERSION, ...body });
  }

  /** Refuses a request that does not come from the page this server gave out. */
  function guard(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    const hostHeader = req.headers.host ?? '';
    if (!hosts.has(hostHeader)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: unexpected Host header\n');
      return false;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${hostHeader}`) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: foreign Origin\n');
      return false;
    }
    const fromUrl = url.searchParams.get('token');
    if (fromUrl !== null && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      if (!sameToken(fromUrl, token)) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden: wrong token\n');
        return false;
      }
      // Keep the token out of the address bar and history from here on.
      url.searchParams.delete('token');
      res
        .writeHead(303, {
          ...SECURITY_HEADERS,
          'set-cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          location: url.pathname + (url.search || ''),
        })
        .end();
      return false;
    }
    const given =
      (req.headers['x-sched-token'] as string | undefined) ?? cookieValue(req.headers.cookie, cookieName);
    if (given === undefined) {
      res
        .writeHead(401, { ...SECURITY_HEADERS, 'content-type': 'text/plain' })
        .end('unauthorized: open the URL `sched ui` printed (it carries the token)\n');
      return false;
    }
    if (!sameToken(given, token)) {
      res
        .writeHead(403, { ...SECURITY_HEADERS, 'content-type': 'text/plain' })
        .end('forbidden: wrong token\n');
      return false;
    }
    return true;
  }

  async function followRoute(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const project = projectOf(url);
    const job = jobOf(url);
    // Checks the job exists (404 otherwise) before the stream starts.
    await logView(project, job, null, options.hostSettings());
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write(': follow\n\n');
    const controller = new AbortController();
    req.on('close', () => controller.abort());
    let partial = '';
    await followLog(
      jobLogFile(stateRoot(options.hostSettings().env), project.name, job),
      (text) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        if (lines.length) res.write(`data: ${JSON.stringify(lines.map(parseLogLine))}\n\n`);
      },
      controller.signal,
    );
    res.end();
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const p = url.pathname;
    if (req.method === 'GET' && (p === '/' || p === '/index.html')) {
      const f = statics.get('index.html')!;
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': f.type }).end(f.body);
      return;
    }
    if (req.method === 'GET' && p.startsWith('/static/')) {
      const f = statics.get(p.slice('/static/'.length));
      if (!f) throw new HttpError(404, 'not found');
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': f.type }).end(f.body);
      return;
    }
    const actions: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
      '/api/run-now': (b) => runJobNow(projectOfBody(b), jobOfBody(b), options.hostSettings()),
      '/api/pause': (b) => editJob(projectOfBody(b), 'pause', jobOfBody(b), options.hostSettings()),
      '/api/resume': (b) => editJob(projectOfBody(b), 'resume', jobOfBody(b), options.hostSettings()),
      '/api/apply': (b) => {
        const fileHash = b.file_hash;
        const fingerprint = b.host_fingerprint;
        if (typeof fileHash !== 'string' || typeof fingerprint !== 'string')
          throw new HttpError(400, 'apply needs the file_hash and host_fingerprint of the plan you reviewed');
        return applyConfirmed(
          projectOfBody(b),
          { file_hash: fileHash, host_fingerprint: fingerprint },
          options.hostSettings(),
        );
      },
    };
    const action = actions[p];
    if (action) {
      if (req.method !== 'POST') throw new HttpError(405, `${p} is an action: POST only`);
      if (options.readOnly) throw new HttpError(403, 'this dashboard is read-only (sched ui --read-only)');
      sendJson(req, res, 200, await action(await readJson(req)));
      return;
    }
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
    const host = options.hostSettings();
    switch (p) {
      case '/api/projects':
        sendJson(req, res, 200, {
          format_version: UI_FORMAT_VERSION,
          read_only: options.readOnly ?? false,
          projects: options.projects.map((q) => ({ project: q.name, file: q.file })),
        });
        return;
      case '/api/overview': {
        const project = projectOf(url);
        sendJson(req, res, 200, await overview(project, host, await bannersOf(project, host)));
        return;
      }
      case '/api/timeline': {
        const hours = Number(url.searchParams.get('hours') ?? '24');
        if (!(Number.isInteger(hours) && hours >= 1 && hours <= 24 * 31))
          throw new HttpError(400, 'hours must be a whole number from 1 to 744');
        const fromText = url.searchParams.get('from');
        const from = fromText === null ? host.now : new Date(fromText);
        if (Number.isNaN(from.getTime()) || Math.abs(from.getTime() - host.now.getTime()) > 400 * 86_400_000)
          throw new HttpError(400, 'from must be a date (ISO-8601) within a year of today');
        sendJson(req, res, 200, await timeline(projectOf(url), hours, host, from));
        return;
      }
      case '/api/job':
        sendJson(req, res, 200, await jobDetail(projectOf(url), jobOf(url), host));
        return;
      case '/api/history': {
        const page = Number(url.searchParams.get('page') ?? '1');
        const perPage = Number(url.searchParams.get('per_page') ?? '20');
        if (!(
          Number.isInteger(page) &&
          page >= 1 &&
          Number.isInteger(perPage) &&
          perPage >= 1 &&
          perPage <= 500
        ))
          throw new HttpError(400, 'page must be 1 or more and per_page from 1 to 500');
        sendJson(req, res, 200, await historyPage(projectOf(url), jobOf(url), page, perPage, host));
        return;
      }
      case '/api/log':
        sendJson(req, res, 200, await logView(projectOf(url), jobOf(url), url.searchParams.get('run'), host));
        return;
      case '/api/log/follow':
        await followRoute(req, res, url);
        return;
      case '/api/plan':
        sendJson(req, res, 200, await planView(projectOf(url), host));
        return;
      default:
        throw new HttpError(404, 'not found');
    }
  }

  function projectOfBody(body: Record<string, unknown>): UiProject {
    const name = typeof body.project === 'string' ? body.project : options.projects[0]!.name;
    const p = projects.get(name);
    if (!p) throw new HttpError(404, `no project ${name} here`);
    return p;
  }

  function jobOfBody(body: Record<string, unknown>): string {
    const job = typeof body.job === 'string' ? body.job : '';
    if (!isValidJobName(job)) throw new HttpError(404, `no job '${job}'`);
    return job;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!guard(req, res, url)) return;
    route(req, res, url).catch((e: unknown) => sendError(req, res, e));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new UserError(
          `cannot listen on ${bind}:${options.port ?? 0}: ${e.code ?? e.message}`,
          e.code === 'EADDRINUSE'
            ? 'another process uses that port: pick another --port, or 0 for a free one'
            : 'check --host and --port',
        ),
      ),
    );
    server.listen(options.port ?? 0, bind, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(bind, port);
  // One cookie per port: two dashboards on one host do not overwrite each other's token.
  cookieName = `sched_ui_${port}`;
  const shown = bind.includes(':') ? `[${bind}]` : bind;
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    server,
    token,
    port,
    url: `http://${shown}:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open log follows and keep-alive connections would hold close() forever.
        for (const s of sockets) s.destroy();
      }),
  };
}
