/**
 * `sched daemon --install`: a service definition that keeps the daemon itself running — a systemd
 * user unit or a launchd agent. Rendering is pure; the service layer writes the file and tells
 * the user how to enable it (sched never enables it behind their back).
 */
import plist from 'plist';

export const DAEMON_UNIT_NAME = 'sched-daemon.service';
export const DAEMON_LAUNCHD_LABEL = 'dev.sched.daemon';
/** Marks a file as written by `sched daemon --install`, so it is never overwritten when foreign. */
export const DAEMON_INSTALL_MARKER = 'sched-managed daemon';

export interface DaemonInstallOptions {
  nodePath: string;
  schedBin: string;
  /** Extra daemon arguments (`--project P`…). */
  args: string[];
  /** Environment for the daemon (SCHED_HOME when set at install time). */
  env: Record<string, string>;
  graceSeconds: number;
  /** launchd only: where the daemon's output goes. */
  logFile?: string;
}

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

/** The launchd agent for the daemon (KeepAlive: launchd restarts it). */
export function renderDaemonPlist(o: DaemonInstallOptions): string {
  const doc: Record<string, plist.PlistValue> = {
    Label: DAEMON_LAUNCHD_LABEL,
    Comment: `${DAEMON_INSTALL_MARKER}: written by sched daemon --install`,
    ProgramArguments: [o.nodePath, o.schedBin, 'daemon', ...o.args],
    RunAtLoad: true,
    KeepAlive: true,
    ExitTimeOut: o.graceSeconds + 30,
    ProcessType: 'Background',
  };
  if (Object.keys(o.env).length > 0) doc.EnvironmentVariables = o.env;
  if (o.logFile) {
    doc.StandardOutPath = o.logFile;
    doc.StandardErrorPath = o.logFile;
  }
  return plist.build(doc) + '\n';
}
