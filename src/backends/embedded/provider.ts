/** The embedded provider: records in the state dir, fired by `sched daemon`. */
import { NodeDirFs } from '../../platform/node.js';
import type { BackendProvider } from '../provider.js';
import { targetTag } from '../target-key.js';
import { embeddedRoot } from './daemon-lock.js';

export const embeddedProvider: BackendProvider = {
  name: 'embedded',
  schemaDoc: 'run by `sched daemon`',
  capabilities: {
    nativeJitter: false,
    nativeCatchUp: false,
    runsRecordedHere: true,
    keepsPausedJobsRegistered: false,
  },
  fallback: true,
  async create(options) {
    const { EmbeddedBackend } = await import('./index.js');
    return new EmbeddedBackend({ dir: new NodeDirFs(embeddedRoot(options.stateRoot), 0o700) });
  },
  targetKey: (options) => `embedded-${targetTag(embeddedRoot(options.stateRoot))}`,
  overdueHint: () => 'is `sched daemon` running? (sched doctor)',
  unreachableFix: 'Run `sched daemon`.',
  clockChanges: {
    moved: 'sched daemon runs it once right after the jump (Debian cron rule)',
    once: 'sched daemon runs it once, in the first pass (Debian cron rule)',
    doubled: 'sched daemon fires in both passes (Debian cron rule)',
  },
};
