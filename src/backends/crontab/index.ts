/** The crontab backend: pure render/parse plus the adapter that talks to `crontab`. */
export { CrontabBackend, type CrontabBackendOptions } from './adapter.js';
export {
  CATCH_UP_ID,
  CRONTAB_KIND,
  MAX_COMMAND_BYTES,
  beginMarker,
  checkJob,
  cronCommand,
  cronEscape,
  endMarker,
  entryId,
  renderJob,
  renderProjectEntries,
  shellQuote,
} from './render.js';
export {
  CrontabMarkerError,
  STRAY_ID,
  applyChanges,
  parseBlock,
  parseCrontab,
  splitCrontab,
  type CrontabSplit,
} from './parse.js';
