/**
 * The one table of backend providers (see provider.ts): building a backend, resolving
 * `backend: auto`, and looking a provider up by name. Adding a backend is one folder under
 * src/backends/ and one line in {@link PROVIDERS}. Each backend's code is imported only when that
 * backend is built, so start-up stays light.
 */
import type { BackendChoice, BackendName, Job } from '../model/job.js';
import { crontabProvider } from './crontab/provider.js';
import { embeddedProvider } from './embedded/provider.js';
import { kubernetesProvider } from './kubernetes/provider.js';
import { launchdProvider } from './launchd/provider.js';
import {
  runCapabilities,
  type BackendProvider,
  type HostOptions,
  type ProviderSettings,
  type RunCapabilities,
} from './provider.js';
import { systemdProvider } from './systemd/provider.js';
import type { Backend, Detection } from './types.js';
import { windowsProvider } from './windows/provider.js';

export type { HostOptions } from './provider.js';

/** Every backend sched can reconcile, by name (each provider's `name` is its key; tested). */
export const PROVIDERS: Readonly<Record<BackendName, BackendProvider>> = {
  systemd: systemdProvider,
  launchd: launchdProvider,
  crontab: crontabProvider,
  windows: windowsProvider,
  kubernetes: kubernetesProvider,
  embedded: embeddedProvider,
};

/** The provider of a backend. */
export function providerOf(name: BackendName): BackendProvider {
  return PROVIDERS[name];
}

/** The providers in table order. */
export function allProviders(): BackendProvider[] {
  return Object.values(PROVIDERS);
}

/** The backends' `schedules.yaml` settings blocks, for the loader (LoadOptions.backendSettings). */
export function backendSettings(): ProviderSettings[] {
  return allProviders().flatMap((p) => (p.settings ? [p.settings] : []));
}

/** The schedulers `sched import` can read foreign entries from (the `--backend` choices). */
export function importableBackends(): BackendName[] {
  return allProviders()
    .filter((p) => p.importFrom)
    .sort((a, b) => a.importFrom!.listed - b.importFrom!.listed)
    .map((p) => p.name);
}

/** The schedulers `sched import` looks at on `platform`, in the order it reads them. */
export function importSchedulersFor(platform: NodeJS.Platform): BackendName[] {
  return allProviders()
    .filter((p) => p.importFrom?.on(platform))
    .sort((a, b) => a.importFrom!.order - b.importFrom!.order)
    .map((p) => p.name);
}

/** What apply records in the applied spec of `job` for the run path (see AppliedSpec.capabilities). */
export function runCapabilitiesOf(name: BackendName, job: Pick<Job, 'project' | 'name'>): RunCapabilities {
  return runCapabilities(providerOf(name), job);
}

/**
 * What a backend writes to, as a short file-name-safe key: two projects with the same key share
 * one native target (one user crontab, one unit directory…) and must not change it at the same
 * time (the apply service takes one lock per key).
 */
export function backendTargetKey(name: BackendName, options: HostOptions): string {
  return providerOf(name).targetKey(options);
}

/** Creates the named backend, wired to this host. */
export async function createBackend(name: BackendName, options: HostOptions): Promise<Backend> {
  return providerOf(name).create(options);
}

export interface BackendSelection {
  backend: Backend;
  reason: string;
}

/**
 * Resolves `backend:` to a backend. `auto` takes the provider that is the one choice on this
 * platform (launchd on macOS, Task Scheduler on Windows); elsewhere it probes the providers in
 * their probe order (the systemd user manager, then the crontab) and takes the first that
 * answers, else the fallback (`embedded`) — and says why.
 */
export async function selectBackend(choice: BackendChoice, options: HostOptions): Promise<BackendSelection> {
  if (choice !== 'auto') {
    return { backend: await createBackend(choice, options), reason: 'set in schedules.yaml' };
  }
  const platform = options.platform ?? process.platform;
  const providers = allProviders();
  const exclusive = providers.find((p) => p.auto?.exclusiveOn?.includes(platform));
  if (exclusive) {
    return {
      backend: await exclusive.create(options),
      reason: exclusive.auto?.reason ?? `auto: ${exclusive.name}`,
    };
  }
  const probed = providers
    .filter((p) => p.auto?.probeOrder !== undefined)
    .sort((a, b) => a.auto!.probeOrder! - b.auto!.probeOrder!);
  const rejected: string[] = [];
  for (const provider of probed) {
    const backend = await provider.create(options);
    const detection: Detection = await backend
      .detect()
      .catch((e: Error) => ({ available: false, reason: e.message }));
    if (detection.available) {
      const before = rejected.length ? `; ${rejected.join('; ')}` : '';
      return { backend, reason: `auto: ${detection.reason}${before}` };
    }
    rejected.push(`${provider.name}: ${detection.reason}`);
  }
  const fallback = providers.find((p) => p.fallback)!;
  return {
    backend: await fallback.create(options),
    reason: `auto: no OS scheduler reachable (${rejected.join('; ')}); jobs are fired by \`sched daemon\``,
  };
}
