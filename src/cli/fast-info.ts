/**
 * `sched --version`, `-v`, `version`, `sched --help`, `sched help [CMD]` and `sched CMD --help`
 * without loading oclif (its start-up is several times node's own). The version line is oclif's
 * user agent, built the same way; the help texts are oclif's own, rendered at build time from the
 * manifest by scripts/help-cache.mjs into dist/help.json — for the one environment where oclif's
 * output does not depend on the terminal: stdout not a terminal (80 columns) and no colour. Any
 * other form or environment returns undefined, and oclif answers.
 *
 * Loaded on every `sched` start but run/plan: imports node:fs and node:os only.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** dist/help.json, written by scripts/help-cache.mjs. */
export interface HelpCache {
  format_version: 1;
  /** The columns the texts were rendered for (oclif's width when stdout is not a terminal). */
  columns: number;
  /** Stands for the user agent in the texts (the root help shows it under VERSION). */
  userAgentMark: string;
  root: string;
  commands: Record<string, string>;
}

export interface InfoContext {
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  /** The user agent, or undefined when it cannot be told without oclif (WSL). */
  userAgent: () => string | undefined;
  helpCache: () => HelpCache | undefined;
}

/**
 * What oclif would print for these arguments, when it is a version or help request in one of the
 * forms served here; otherwise undefined.
 */
export function infoOutput(argv: readonly string[], ctx: InfoContext): string | undefined {
  const [first, second] = argv;
  // oclif: --version or -v as the first word prints the user agent, whatever follows.
  if (first === '--version' || first === '-v' || (first === 'version' && argv.length === 1)) {
    const ua = ctx.userAgent();
    return ua === undefined ? undefined : `${ua}\n`;
  }
  let subject: string | undefined;
  if (argv.length === 0 || (argv.length === 1 && (first === '--help' || first === '-h' || first === 'help')))
    subject = undefined;
  else if (argv.length === 2 && first === 'help') subject = second;
  else if (argv.length === 2 && (second === '--help' || second === '-h') && !first!.startsWith('-'))
    subject = first;
  else return undefined;
  if (!plainOutput(ctx)) return undefined;
  const cache = ctx.helpCache();
  if (!cache || cache.format_version !== 1 || cache.columns !== 80) return undefined;
  if (subject === undefined) {
    const ua = ctx.userAgent();
    return ua === undefined ? undefined : cache.root.split(cache.userAgentMark).join(ua);
  }
  return Object.hasOwn(cache.commands, subject) ? cache.commands[subject] : undefined;
}

/**
 * True when oclif's help is 80 columns without colour: stdout is not a terminal, no column
 * override, and nothing that turns colour on for a pipe (its colour library reads FORCE_COLOR,
 * COLORTERM and CI variables; NO_COLOR turns it off whatever they say).
 */
function plainOutput(ctx: InfoContext): boolean {
  const { env } = ctx;
  if (ctx.stdoutIsTTY || env.OCLIF_COLUMNS) return false;
  if (env.NO_COLOR) return true;
  if ('FORCE_COLOR' in env) return false;
  if (env.COLORTERM || env.TF_BUILD || env.CI || env.PM2_HOME || env.NEXT_RUNTIME) return false;
  return !Object.keys(env).some((k) => k.includes('TEAMCI'));
}

/** oclif's user agent: `NAME/VERSION PLATFORM-ARCH node-VERSION`; undefined under WSL. */
export function userAgent(packageJsonUrl: URL): string | undefined {
  if (process.platform === 'linux' && maybeWsl()) return undefined;
  const pjson = JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { name: string; version?: string };
  const arch = os.arch() === 'ia32' ? 'x86' : os.arch();
  return `${pjson.name}/${pjson.version ?? '0.0.0'} ${process.platform}-${arch} node-${process.version}`;
}

/** oclif calls the platform `wsl` there; leave that (rare) case to it. */
function maybeWsl(): boolean {
  if (os.release().toLowerCase().includes('microsoft')) return true;
  try {
    if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) return true;
  } catch {
    /* no /proc: not WSL */
  }
  return existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL');
}

/** Reads dist/help.json; undefined when it is missing or unreadable (oclif answers then). */
export function readHelpCache(url: URL): HelpCache | undefined {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as HelpCache;
  } catch {
    return undefined;
  }
}

/**
 * Prints the answer for `sched ARGV` when it is one served here; false when oclif must answer.
 * `root` is the package's root URL (bin/run.js's `..`).
 */
export function serveInfo(argv: readonly string[], root: URL): boolean {
  const text = infoOutput(argv, {
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    userAgent: () => userAgent(new URL('package.json', root)),
    helpCache: () => readHelpCache(new URL('dist/help.json', root)),
  });
  if (text === undefined) return false;
  process.stdout.write(text);
  return true;
}
