/**
 * `sched daemon --install`: the service definitions that keep the daemon itself running live with
 * the backend whose service manager runs them (see each provider's `daemonHost`); re-exported
 * here for the daemon's callers.
 */
export { DAEMON_INSTALL_MARKER, type DaemonInstallOptions } from '../backends/provider.js';
export { DAEMON_UNIT_NAME, renderDaemonUnit, systemdQuote } from '../backends/systemd/daemon-unit.js';
export { DAEMON_LAUNCHD_LABEL, renderDaemonPlist } from '../backends/launchd/daemon-plist.js';
