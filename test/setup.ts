/**
 * Property tests: random seeds locally (more ground covered over time), a fixed seed in CI so
 * that a run is reproducible and main stays green on code that did not change. FC_SEED picks a
 * seed explicitly, e.g. to replay a failure fast-check reported.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261122' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
