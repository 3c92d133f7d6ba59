/**
 * The daemon's lock lives with the embedded backend, whose directory holds it and which must
 * know whether a daemon is running (see backends/embedded/daemon-lock.ts); re-exported here for
 * the daemon's callers.
 */
export * from '../backends/embedded/daemon-lock.js';
