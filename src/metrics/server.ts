/**
 * `sched daemon --metrics-listen ADDR`: serves GET /metrics (every project in the state
 * directory, or the daemon's --project ones) from sched's state at each scrape.
 */
import { readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { UserError } from '../errors.js';
import { collectProjectMetrics } from './collect.js';
import { renderMetrics, type JobMetrics } from './exposition.js';

/** `127.0.0.1:9464`, `[::1]:9464` or `:9464` (all interfaces) → host and port. */
export function parseListenAddress(text: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536))
    throw new UserError(
      `invalid --metrics-listen '${text}'`,
      'give HOST:PORT, e.g. 127.0.0.1:9464 (or :9464 for every interface)',
    );
  return { host: m[1] ?? (m[2] || undefined), port };
}

/** The exposition text of every job of `projects` (default: every project with state). */
export async function metricsOfState(
  root: string,
  projects: readonly string[] | undefined,
  now: Date,
): Promise<string> {
  let names = projects ? [...projects] : [];
  if (!projects) {
    try {
      names = readdirSync(path.join(root, 'projects')).sort();
    } catch {
      names = [];
    }
  }
  const all: JobMetrics[] = [];
  for (const p of names) all.push(...(await collectProjectMetrics(root, p, now)));
  return renderMetrics(all);
}

export async function startMetricsServer(
  address: string,
  root: string,
  projects?: readonly string[],
): Promise<http.Server> {
  const { host, port } = parseListenAddress(address);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('sched serves /metrics only\n');
      return;
    }
    metricsOfState(root, projects, new Date()).then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      (e: Error) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot read sched's state: ${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new UserError(
          `cannot listen on ${address} for metrics: ${e.code ?? e.message}`,
          e.code === 'EADDRINUSE' ? 'another process uses that port: pick another one' : 'check the address',
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}
