/**
 * The systemd user unit that keeps `sched daemon` running (`sched daemon --install` on Linux).
 * Pure: the daemon service writes the file and tells the user how to enable it.
 */
import { DAEMON_INSTALL_MARKER, type DaemonInstallOptions } from '../provider.js';

export const DAEMON_UNIT_NAME = 'sched-daemon.service';

/** Quotes one word for a systemd ExecStart= line: double quotes, `\\`, `"`, `%` and `$` escaped. */
export function systemdQuote(word: string): string {
  return (
    '"' + word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$') + '"'
  );
}

function systemdEnvAssignment(key: string, value: string): string {
  return systemdQuote(`${key}=${value}`);
}

/** The systemd user unit for the daemon. */
export function renderDaemonUnit(o: DaemonInstallOptions): string {
  const exec = [o.nodePath, o.schedBin, 'daemon', ...o.args].map(systemdQuote).join(' ');
  const lines = [
    `# ${DAEMON_INSTALL_MARKER}: written by \`sched daemon --install\``,
    '[Unit]',
    'Description=sched embedded scheduler (sched daemon)',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    ...Object.keys(o.env)
      .sort()
      .map((k) => `Environment=${systemdEnvAssignment(k, o.env[k]!)}`),
    'Restart=always',
    'RestartSec=5',
    // Only the daemon gets SIGTERM: it lets running jobs finish within its grace period itself.
    'KillMode=mixed',
    `TimeoutStopSec=${o.graceSeconds + 30}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}
