/**
 * The loader's cache in the state directory: `cache/load-<hash of the file's path>.json`, 0600 in
 * a 0700 directory, never through a symlink (not even a state root that is one) and never from a
 * directory others can write. Losing it costs one YAML parse, so writes are not
 * fsync'd and every failure to read or write it is ignored.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadCache } from '../config/load.js';
import { checkDirSync, ensureDirSync, readTextSync, writeAtomicSync } from './files.js';

/**
 * The id of this build of sched (`dist/build-id.txt`, written by every `npm run build`), or
 * undefined when running from the sources — then nothing is cached, as a source edit would not
 * show in the id.
 */
export function currentBuild(): string | undefined {
  try {
    return readFileSync(new URL('../build-id.txt', import.meta.url), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The state directory's load cache, or undefined when this is not a build (see {@link currentBuild}). */
export function stateLoadCache(root: string): StateLoadCache | undefined {
  const build = currentBuild();
  return build === undefined ? undefined : new StateLoadCache(root, build);
}

export class StateLoadCache implements LoadCache {
  constructor(
    private readonly root: string,
    readonly build: string,
  ) {}

  private file(key: string): string {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 32);
    return path.join(this.root, 'cache', `load-${name}.json`);
  }

  read(key: string): string | undefined {
    try {
      const file = this.file(key);
      // The same checks as a write: never read through a state root that is a link, or that others can change.
      checkDirSync(path.dirname(file), path.dirname(this.root));
      return readTextSync(file);
    } catch {
      return undefined;
    }
  }

  write(key: string, text: string): void {
    try {
      const file = this.file(key);
      // The state root's parent is the base, so a state root that is a symlink is refused, as apply and run do.
      ensureDirSync(path.dirname(file), path.dirname(this.root));
      writeAtomicSync(file, text, undefined, false);
    } catch {
      // A read-only or full state dir must not fail a plan: the next load parses again.
    }
  }
}
