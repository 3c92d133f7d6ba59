/** The crontab backend: pure render/parse plus the adapter that talks to `crontab`. */
export { CrontabBackend, CrontabChangedError, type CrontabBackendOptions } from './adapter.js';
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
  applyChangesToBytes,
  crontabListing,
  parseBlock,
  parseCrontab,
  parseCrontabBytes,
  splitCrontab,
  type CrontabSplit,
} from './parse.js';
