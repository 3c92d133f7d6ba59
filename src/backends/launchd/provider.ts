/** The launchd provider: one LaunchAgent per job in ~/Library/LaunchAgents. */
import os from 'node:os';
import path from 'node:path';
import { NodeDirFs, NodeRunner } from '../../platform/node.js';
import type { BackendProvider } from '../provider.js';
import { targetTag } from '../target-key.js';
import { DAEMON_LAUNCHD_LABEL, renderDaemonPlist } from './daemon-plist.js';

const agentsDir = (home: string) => path.join(home, 'Library', 'LaunchAgents');

/**
 * launchd.plist(5) only calls StartCalendarInterval "much like crontab(5)" in the host's local
 * time and documents no rule for a local time the clock skips or repeats, so the plan says so.
 */
const DOC = 'launchd documents calendar intervals in local time, much like crontab(5), but no rule';

export const launchdProvider: BackendProvider = {
  name: 'launchd',
  schemaDoc: '`~/Library/LaunchAgents/dev.sched.<project>.<job>.plist`',
  capabilities: {
    nativeJitter: false,
    nativeCatchUp: false,
    runsRecordedHere: true,
    keepsPausedJobsRegistered: false,
  },
  auto: { exclusiveOn: ['darwin'], reason: 'auto: macOS uses launchd' },
  importFrom: { on: (platform) => platform === 'darwin', order: 0, listed: 3 },
  async create(options) {
    const { LaunchdBackend } = await import('./index.js');
    const uid = typeof process.getuid === 'function' ? process.getuid() : 501;
    return new LaunchdBackend({
      runner: options.runner ?? new NodeRunner(),
      dir: new NodeDirFs(agentsDir(options.homeDir ?? os.homedir())),
      uid,
    });
  },
  targetKey: (options) => `launchd-${targetTag(agentsDir(options.homeDir ?? os.homedir()))}`,
  overdueHint: (job) =>
    `is the agent loaded? (launchctl print gui/$UID/dev.sched.${job.project}.${job.name}; was the Mac asleep?)`,
  unreachableFix: 'Run sched as the logged-in user (launchctl needs the gui/UID domain).',
  clockChanges: {
    moved: `${DOC} for a local time the clock skips — it may run after the jump or not that day (not verified by sched)`,
    once: `${DOC} for a local time that repeats — it may run once or twice (not verified by sched)`,
    doubled: `${DOC} for a local time that repeats — it may fire in one pass or both (not verified by sched)`,
  },
  daemonHost: {
    label: 'launchd (macOS)',
    platforms: ['darwin'],
    location: (_env, home) => ({ dir: agentsDir(home), name: `${DAEMON_LAUNCHD_LABEL}.plist` }),
    render: renderDaemonPlist,
    enable: (file) => [`launchctl bootstrap gui/$(id -u) ${file}`],
  },
};
