/**
 * The launchd agent that keeps `sched daemon` running (`sched daemon --install` on macOS).
 * Pure: the daemon service writes the file and tells the user how to enable it.
 */
import { createRequire } from 'node:module';
import type plistModule from 'plist';
import { DAEMON_INSTALL_MARKER, type DaemonInstallOptions } from '../provider.js';

export const DAEMON_LAUNCHD_LABEL = 'dev.sched.daemon';

/** The launchd agent for the daemon (KeepAlive: launchd restarts it). */
export function renderDaemonPlist(o: DaemonInstallOptions): string {
  // plist (with its XML DOM) costs ~35 ms to load; the provider table is loaded by every command.
  const plist = createRequire(import.meta.url)('plist') as typeof plistModule;
  const doc: Record<string, plistModule.PlistValue> = {
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
