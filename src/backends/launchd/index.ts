/** The launchd backend: agents in ~/Library/LaunchAgents, loaded into gui/<uid>. */
export { LaunchdBackend, parseLaunchctlList, type LaunchdBackendOptions } from './adapter.js';
export {
  checkLaunchdJob,
  launchdLabel,
  launchdTrigger,
  plistFileName,
  renderLaunchdCatchUp,
  renderLaunchdJob,
  stripOwnershipComment,
  CATCH_UP_LABEL_SUFFIX,
} from './render.js';
export { parseLaunchdPlist, type ParsedLaunchdPlist } from './parse.js';
