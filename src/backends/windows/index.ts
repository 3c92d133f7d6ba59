/** The Windows backend: Task Scheduler tasks in `\sched\<project>\`, managed with schtasks. */
export { WindowsBackend, splitTasksDocument, type WindowsBackendOptions } from './adapter.js';
export {
  checkWindowsJob,
  decodeTaskXml,
  encodeTaskXml,
  renderWindowsJob,
  taskFileName,
  taskFolder,
  taskHash,
  taskPath,
  windowsTrigger,
} from './render.js';
export { canonicalTaskXml, normalizeTaskXml } from './normalize.js';
export { parseTaskXml, type ParsedTask } from './parse.js';
export { quoteWindowsArg, quoteWindowsArgs, splitWindowsArgs } from './quote.js';
