/** A reader that goes away (`sched plan | head`) is not an error: stop caring about stdout, as oclif's commands do. */
export function ignoreClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
