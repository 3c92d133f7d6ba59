/* global process, setTimeout */
// A process that contends for sched's apply lock, for the lock fault injectors (lock-tools.ts).
// Plain JavaScript so that it runs with bare `node` against a compiled lock module.
//
//   node lock-worker.mjs MODULE_URL STATE_ROOT contend GO_FILE LOG_FILE HOLD_MS
//     creates GO_FILE.ready-<pid>, waits for GO_FILE, tries the lock once (no waiting); when it gets it, appends
//     "enter <pid>" and, HOLD_MS later, "exit <pid>" to LOG_FILE, then releases it.
//   node lock-worker.mjs MODULE_URL STATE_ROOT hold-and-die
//     takes the lock, prints "held", and dies by SIGKILL without releasing it.
//   node lock-worker.mjs DAEMON_LOCK_MODULE_URL STATE_ROOT daemon-hold-and-die
//     the same with the daemon lock.
import fs from 'node:fs';

const [moduleUrl, root, mode, goFile, logFile, holdMs] = process.argv.slice(2);
const { acquireApplyLock } = await import(moduleUrl); // undefined for the daemon lock module
// The third argument is the command recorded in the lock (older builds took a backend there and
// the command fourth; both read 'x' as a string they only record).
const take = () => acquireApplyLock(root, 'p', 'x', 'x');

if (mode === 'daemon-hold-and-die') {
  const { acquireDaemonLock } = await import(moduleUrl);
  await acquireDaemonLock(root, null);
  process.stdout.write('held\n');
  process.kill(process.pid, 'SIGKILL');
} else if (mode === 'hold-and-die') {
  await take();
  process.stdout.write('held\n');
  process.kill(process.pid, 'SIGKILL');
} else if (mode === 'contend') {
  fs.writeFileSync(`${goFile}.ready-${process.pid}`, ''); // at the barrier
  while (!fs.existsSync(goFile)) await new Promise((r) => setTimeout(r, 1));
  let lock;
  try {
    lock = await take();
  } catch {
    process.exit(3); // refused: someone else holds it
  }
  fs.appendFileSync(logFile, `enter ${process.pid}\n`);
  await new Promise((r) => setTimeout(r, Number(holdMs)));
  fs.appendFileSync(logFile, `exit ${process.pid}\n`);
  await lock.release();
  process.exit(0);
}
