/**
 * The command line this process was started with, as an apply records it in the locks it takes
 * (a second apply that finds them held names it). Read here, in the CLI layer, so that services
 * get it as a value (`HostSettings.commandLine`) and never read `process.argv`.
 */
export function invokedCommandLine(argv: readonly string[] = process.argv): string {
  return ['sched', ...argv.slice(2)].join(' ');
}
