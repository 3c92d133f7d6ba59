/**
 * Delivery of notification events and healthcheck pings. Every delivery is bounded (a timeout
 * per attempt, a retry or two) and never throws: a failure comes back as words — with the URL
 * masked — for the run log and `sched history`, and never changes the run's result.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { Notifier } from '../model/job.js';
import { slackBody, summary, type NotificationEvent } from './event.js';
import { expandVars, maskUrl } from './mask.js';

/** What a delivery needs from the run: the job's environment (for `${VAR}` and commands). */
export interface DeliveryContext {
  env: Record<string, string | undefined>;
  /** Pause between attempts (tests shorten it). */
  retryDelayMs?: number;
}

export interface DeliveryFailure {
  /** The notifier, masked: `webhook https://hooks.slack.com/•••`. */
  target: string;
  error: string;
}

/** How a notifier is named in logs and history: never with a secret. */
export function describeNotifier(n: Notifier): string {
  if ('webhook' in n) return `webhook ${maskUrl(n.webhook)}`;
  if ('command' in n) return `command ${JSON.stringify(n.command[0])}`;
  return `email ${n.email}`;
}

/** One HTTP request, with the whole exchange bounded by `timeoutMs`; resolves on a 2xx answer. */
export function httpRequest(
  url: string,
  opts: { method: 'GET' | 'POST'; body?: string; contentType?: string; timeoutMs: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error('not a valid URL'));
      return;
    }
    const mod = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!mod) {
      reject(new Error(`unsupported scheme ${target.protocol}`));
      return;
    }
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const req = mod.request(target, {
      method: opts.method,
      // No keep-alive: a pooled socket would hold `sched run` open after the run is over.
      agent: false,
      headers: {
        'user-agent': 'sched',
        connection: 'close',
        ...(body ? { 'content-type': opts.contentType ?? 'text/plain', 'content-length': body.length } : {}),
      },
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${Math.round(opts.timeoutMs / 100) / 10} s`)),
      opts.timeoutMs,
    );
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`HTTP ${status}`));
      });
      res.on('error', () => undefined);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // The code (ECONNREFUSED…) or our own words: node's messages can quote the URL.
      reject(new Error(e.code ?? e.message));
    });
    req.end(body);
  });
}

/** Runs `argv` with `input` on stdin, killed after `timeoutMs`; resolves when it exits 0. */
export function runWithInput(
  argv: string[],
  input: string,
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-300)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? `${argv[0]} is not on PATH` : (e.code ?? 'could not start')));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `exit code ${code ?? signal}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
          ),
        );
    });
    child.stdin.on('error', () => undefined); // a command that does not read its input
    child.stdin.end(input);
  });
}

function mailText(to: string, e: NotificationEvent): string {
  const subject = summary(e).replace(/[\r\n]+/g, ' ');
  return [
    `To: ${to}`,
    `Subject: ${subject}`,
    'Content-Type: text/plain; charset=utf-8',
    'Auto-Submitted: auto-generated',
    '',
    summary(e),
    '',
    JSON.stringify(e, null, 2),
    '',
  ].join('\n');
}

async function attemptOnce(n: Notifier, e: NotificationEvent, ctx: DeliveryContext): Promise<void> {
  const timeoutMs = n.timeoutSeconds * 1000;
  if ('webhook' in n) {
    const url = expandVars(n.webhook, ctx.env);
    const body = JSON.stringify(n.format === 'slack' ? slackBody(e) : e);
    return httpRequest(url, { method: 'POST', body, contentType: 'application/json', timeoutMs });
  }
  const json = JSON.stringify(e) + '\n';
  if ('command' in n) return runWithInput(n.command, json, ctx.env, timeoutMs);
  try {
    return await runWithInput(['sendmail', '-t', '-i'], mailText(n.email, e), ctx.env, timeoutMs);
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(
      msg === 'sendmail is not on PATH'
        ? 'sendmail is not on PATH: install a mail transfer agent (msmtp-mta, postfix…) or use a webhook'
        : msg,
    );
  }
}

/** Tries `attempt` 1 + `retries` times; undefined on success, else the last error's words. */
async function withRetries(
  retries: number,
  delayMs: number,
  attempt: () => Promise<void>,
): Promise<string | undefined> {
  let last = '';
  for (let i = 0; i <= retries; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, delayMs));
    try {
      await attempt();
      return undefined;
    } catch (e) {
      last = (e as Error).message;
      // A missing ${VAR} or a bad URL will not get better on a second try.
      if (/is not set|not a valid URL|unsupported scheme|is not on PATH/.test(last)) break;
    }
  }
  return last;
}

/** Sends `event` to every notifier that wants it, all at once; resolves with the failures. */
export async function deliver(
  notifiers: readonly Notifier[],
  event: NotificationEvent,
  ctx: DeliveryContext,
): Promise<DeliveryFailure[]> {
  const results = await Promise.all(
    notifiers.map(async (n) => {
      const error = await withRetries(n.retries, ctx.retryDelayMs ?? 1000, () => attemptOnce(n, event, ctx));
      return error === undefined ? undefined : { target: describeNotifier(n), error };
    }),
  );
  return results.filter((r): r is DeliveryFailure => r !== undefined);
}

export const HEALTHCHECK_TIMEOUT_MS = 5000;
export const HEALTHCHECK_RETRIES = 1;

/**
 * A healthchecks.io ping: `<url>/start`, `<url>` (success) or `<url>/<exit code>` (failure;
 * `/fail` when there is no exit code, as after a timeout by signal). Ends with the log tail as
 * the body, which healthchecks.io shows with the ping.
 */
export async function pingHealthcheck(
  template: string,
  kind: 'start' | 'success' | 'failure',
  exitCode: number | null,
  body: string,
  ctx: DeliveryContext,
): Promise<DeliveryFailure | undefined> {
  const error = await withRetries(HEALTHCHECK_RETRIES, ctx.retryDelayMs ?? 1000, async () => {
    const url = expandVars(template, ctx.env);
    const q = url.indexOf('?');
    const base = (q < 0 ? url : url.slice(0, q)).replace(/\/+$/, '');
    const query = q < 0 ? '' : url.slice(q);
    const suffix = kind === 'start' ? '/start' : kind === 'success' ? '' : `/${exitCode ?? 'fail'}`;
    await httpRequest(`${base}${suffix}${query}`, {
      method: kind === 'start' ? 'GET' : 'POST',
      ...(kind === 'start' ? {} : { body }),
      timeoutMs: HEALTHCHECK_TIMEOUT_MS,
    });
  });
  return error === undefined ? undefined : { target: `healthcheck ${maskUrl(template)}`, error };
}
