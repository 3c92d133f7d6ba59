/** The Windows provider: one Task Scheduler task per job in the folder \sched\<project>\. */
import os from 'node:os';
import { NodeRunner } from '../../platform/node.js';
import type { BackendProvider } from '../provider.js';
import { currentUser, targetTag } from '../target-key.js';

/**
 * Task Scheduler documents that a trigger without a UTC offset (as sched writes it) follows the
 * host's zone and daylight-saving rules, but nothing for a local time the clock skips or repeats.
 */
const DOC =
  "Task Scheduler documents that a trigger without a UTC offset (as sched writes it) follows the host's time zone and daylight-saving rules";

export const windowsProvider: BackendProvider = {
  name: 'windows',
  schemaDoc: 'tasks in `\\sched\\<project>\\`',
  capabilities: {
    nativeJitter: false,
    nativeCatchUp: true,
    runsRecordedHere: true,
    keepsPausedJobsRegistered: false,
  },
  auto: { exclusiveOn: ['win32'], reason: 'auto: Windows uses Task Scheduler' },
  importFrom: { on: (platform) => platform === 'win32', order: 0, listed: 4 },
  async create(options) {
    const { WindowsBackend } = await import('./index.js');
    return new WindowsBackend({ runner: options.runner ?? new NodeRunner(), tempDir: os.tmpdir() });
  },
  targetKey: () => `windows-${targetTag(currentUser())}`,
  overdueHint: (job) => `is the task enabled? (schtasks /query /tn \\sched\\${job.project}\\${job.name} /v)`,
  unreachableFix: 'Run sched in a session that may use schtasks.',
  clockChanges: {
    moved: `${DOC}, but none for a time the clock skips — it may run after the jump or not that day (not verified by sched)`,
    once: `${DOC}, but none for a time that repeats — it may run once or twice (not verified by sched)`,
    doubled: `${DOC}, but none for a time that repeats — repetitions may fire in one pass or both (not verified by sched)`,
  },
};
