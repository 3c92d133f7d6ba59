/** The crontab provider: one block in the user's crontab, every byte outside it kept. */
import { NodeRunner } from '../../platform/node.js';
import type { BackendProvider, ProviderDoctorDeps, ProviderFinding } from '../provider.js';
import { currentUser, targetTag } from '../target-key.js';
import { cronDaemonRunning } from './daemon-probe.js';

/** Crontab entries fire only while a cron daemon runs. */
async function checkCronDaemon(deps: ProviderDoctorDeps): Promise<ProviderFinding> {
  if (await cronDaemonRunning(deps.runner))
    return { id: 'cron-daemon', status: 'ok', message: 'the cron daemon is running' };
  return {
    id: 'cron-daemon',
    status: 'fail',
    message: 'the cron daemon is not running: crontab entries do not fire',
    fix: "systemctl enable --now cron (or 'service cron start')",
  };
}

export const crontabProvider: BackendProvider = {
  name: 'crontab',
  schemaDoc: "a marked block in the user's crontab",
  capabilities: {
    nativeJitter: false,
    nativeCatchUp: false,
    runsRecordedHere: true,
    keepsPausedJobsRegistered: false,
  },
  auto: { probeOrder: 2 },
  importFrom: { on: (platform) => platform !== 'win32', order: 1, listed: 1 },
  async create(options) {
    const { CrontabBackend } = await import('./index.js');
    return new CrontabBackend({ runner: options.runner ?? new NodeRunner() });
  },
  targetKey: () => `crontab-${targetTag(currentUser())}`,
  overdueHint: () => 'is the cron daemon running? (systemctl status cron, or pgrep -x cron)',
  unreachableFix: "Install cron ('apt-get install cron') or choose another backend.",
  clockChanges: {
    moved: 'Debian cron runs it once right after the jump',
    once: 'Debian cron runs it once, in the first pass',
    doubled: 'Debian cron fires in both passes',
  },
  async doctor(deps) {
    return [await checkCronDaemon(deps)];
  },
};
