/** The systemd backend: timers and oneshot services, user or system scope. */
export { SystemdBackend, systemdUnitDir, parseShowOutput, type SystemdBackendOptions } from './adapter.js';
export {
  checkSystemdJob,
  renderSystemdJob,
  systemdNotes,
  serviceName,
  timerName,
  unitBase,
  type SystemdScope,
} from './render.js';
export { parseServiceUnit, parseTimerUnit, splitHeader } from './parse.js';
