/**
 * Whether a cron daemon runs: crontab entries fire only then (plan's warning, doctor's check).
 * Asked of the OS directly where the runner can (Linux /proc, see Runner.processRunning), else by
 * a shell: `pgrep -x cron` (Debian), `pgrep -x crond` (others), or a pid file.
 */
import type { Runner } from '../../platform/ports.js';

export const CRON_DAEMON_NAMES = ['cron', 'crond'] as const;
export const CRON_PID_FILES = ['/run/crond.pid', '/var/run/crond.pid'] as const;

/** The check a shell runs where the process table cannot be read directly. */
export const CRON_DAEMON_SCRIPT =
  'pgrep -x cron >/dev/null 2>&1 || pgrep -x crond >/dev/null 2>&1 || test -s /run/crond.pid || test -s /var/run/crond.pid';

export async function cronDaemonRunning(runner: Runner): Promise<boolean> {
  const seen = runner.processRunning?.(CRON_DAEMON_NAMES, CRON_PID_FILES);
  if (seen !== undefined) return seen;
  const r = await runner.run('sh', ['-c', CRON_DAEMON_SCRIPT]).catch(() => undefined);
  return r !== undefined && r.exitCode === 0;
}
