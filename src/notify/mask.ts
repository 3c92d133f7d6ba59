/**
 * Secrets in notification URLs (a Slack webhook's path, a healthchecks.io UUID) must never reach
 * a log, history, the plan or an error message: everything sched prints about a URL goes
 * through {@link maskUrl}. `${VAR}` references are not secret and stay readable.
 */
import { createHash } from 'node:crypto';

export const MASK = '•••';

/** `https://hooks.slack.com/•••` for a URL with a path, query or user info; `${VAR}/•••` for a reference. */
export function maskUrl(url: string): string {
  const ref = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(url);
  if (ref) return url.length > ref[0].length ? `${ref[0]}/${MASK}` : ref[0];
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^/?#]*)(.*)$/i.exec(url);
  if (!m) return MASK;
  const rest = m[3]!;
  return rest === '' || rest === '/' ? `${m[1]}${m[2]}` : `${m[1]}${m[2]}/${MASK}`;
}

/**
 * Masks every http(s) URL in a line of text, with a short digest so that a plan still shows
 * that a masked URL changed.
 */
export function maskUrlsInText(text: string): string {
  return text.replace(/https?:\/\/[^\s"'\\]+/g, (url) => {
    const masked = maskUrl(url);
    if (masked === url) return url;
    const digest = createHash('sha256').update(url).digest('hex').slice(0, 8);
    return `${masked}#${digest}`;
  });
}

/** Applies {@link maskUrlsInText} to the `notify:` and `healthcheck:` lines of an applied-spec text. */
export function maskSpecText(content: string): string {
  return content.replace(/^(notify|healthcheck): .*$/gm, (line) => maskUrlsInText(line));
}

/** Expands `${NAME}` from `env`; throws naming the variable (never its value) when one is unset. */
export function expandVars(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') throw new Error(`\${${name}} is not set (put it in the job's env_file)`);
    return v;
  });
}
