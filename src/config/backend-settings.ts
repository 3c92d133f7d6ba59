/**
 * The contract between the loader and a backend's settings block (`kubernetes:`…): config
 * resolves every block it is given the same way and knows no backend. The blocks come from the
 * backend providers (src/backends/provider.ts `settings`), passed in by the layer that loads a
 * project (LoadOptions.backendSettings), since config sits below the backends.
 */
import type { BackendName, Job } from '../model/job.js';
import type { Severity } from './diagnostic.js';
import type { PathSegment } from './locate.js';

/** The fields of a {@link Job} that hold a backend's settings: each named after its backend. */
export type SettingsKey = Extract<keyof Job, BackendName>;

/** A problem a settings resolver finds, at a path inside the settings block. */
export interface SettingsDiagnostic {
  /** Inside the block (`['history', 'failed']`); the loader prefixes the job and the key. */
  path: PathSegment[];
  severity: Severity;
  code: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** A settings block resolved: the backend's settings, and what is wrong with the block. */
export interface SettingsResolution<T> {
  settings: T;
  diagnostics: SettingsDiagnostic[];
}

/** How one backend's settings block is read (see ProviderSettings, which adds its schema). */
export interface SettingsResolver<K extends SettingsKey = SettingsKey> {
  /** The YAML key of the block, which is also the {@link Job} field the resolved settings go to. */
  readonly key: K;
  /**
   * The merged block (the defaults' keys, then the job's; already valid against the schema) as
   * the backend's settings, plus the problems a schema cannot express. Pure: no I/O, no clock.
   */
  resolve(raw: Record<string, unknown>): SettingsResolution<NonNullable<Job[K]>>;
  /**
   * Job keys that do nothing when `backend:` is this backend (its key): a job that sets one gets
   * a warning saying `why`, and `hint` (what to use instead). An empty list counts as unset.
   */
  readonly inertJobKeys?: { keys: readonly string[]; why: string; hint: string };
}
