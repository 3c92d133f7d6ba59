/**
 * A fault injector for the applied-spec store: writes specs with the compiled
 * `AppliedSpecStore.writeMany` in a child process that SIGKILLs itself at a chosen point — after
 * the n-th spec file, or at a named step of the commit (see SpecWriteStep in src/state/applied.ts).
 * What is on disk afterwards is exactly what a `sched apply` killed there leaves.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppliedSpec, SpecWriteStep } from '../../../src/state/applied.js';
import { REPO_ROOT } from '../../e2e/helpers/cli.js';

export type KillPoint = { afterSpecFiles: number } | { atStep: SpecWriteStep };

/** Runs the write and returns the signal that ended it (`SIGKILL` when the kill point was reached). */
export function writeSpecsAndDie(root: string, specs: AppliedSpec[], at: KillPoint): NodeJS.Signals | null {
  const store = pathToFileURL(path.join(REPO_ROOT, 'dist', 'state', 'applied.js')).href;
  const script = `
    const { AppliedSpecStore } = await import(${JSON.stringify(store)});
    const at = ${JSON.stringify(at)};
    const die = () => process.kill(process.pid, 'SIGKILL');
    const store = new AppliedSpecStore(${JSON.stringify(root)}, (step) => { if (step === at.atStep) die(); });
    await store.writeMany(${JSON.stringify(specs)}, (_spec, i) => { if (i + 1 === at.afterSpecFiles) die(); });
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.signal !== 'SIGKILL' && r.status !== 0) throw new Error(`the spec writer failed: ${r.stderr}`);
  return r.signal;
}
