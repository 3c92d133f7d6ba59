/**
 * The commands bin/run.js runs without oclif, in their common forms: one module, so that the
 * build can bundle them with everything they load (scripts/bundle.mjs), and
 * an error thrown inside meets the same error classes as the reporter that explains it.
 */
export { parseFastPlanArgs, planCommand } from './plan-command.js';
export { applyCommand, parseFastApplyArgs } from './apply-command.js';
export { reportError } from './report-error.js';
