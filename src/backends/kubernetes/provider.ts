/** The Kubernetes provider: one CronJob per job, applied with kubectl server-side apply. */
import { NodeRunner } from '../../platform/node.js';
import type { BackendProvider } from '../provider.js';
import { kubernetesSettings } from './settings.js';

export const kubernetesProvider: BackendProvider = {
  name: 'kubernetes',
  schemaDoc: 'CronJobs (needs a `kubernetes:` block)',
  capabilities: {
    // The CronJob runs the command itself, not `sched run`: nothing for the wrapper to add.
    nativeJitter: true,
    nativeCatchUp: true,
    runsRecordedHere: false,
    keepsPausedJobsRegistered: true,
  },
  settings: kubernetesSettings,
  async create(options) {
    const { KubernetesBackend } = await import('./index.js');
    const runner = options.runner ?? new NodeRunner();
    const now = options.now;
    return new KubernetesBackend(now ? { runner, clock: { now: () => now } } : { runner });
  },
  targetKey: () => 'kubernetes',
  // Its runs are recorded in the cluster, never overdue here; the words only for completeness.
  overdueHint: () => 'is the scheduler running? (sched doctor)',
  unreachableFix: "Check kubectl and the context ('kubectl cluster-info').",
  clockChanges: {
    moved: 'the CronJob controller skips it that day',
    once: 'the CronJob controller runs it twice',
    doubled: 'the CronJob controller fires in both passes',
  },
  starterSettings: `  kubernetes:                       # where the CronJobs run (edit these)
    namespace: default
    image: busybox:1.36
`,
};
