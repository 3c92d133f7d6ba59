/**
 * Loads a schedules.yaml: bytes → YAML document (with positions) → schema check → meaning
 * checks → a resolved {@link Project}. Never throws for a bad file: every problem comes back as a
 * {@link Diagnostic} with the line and column of the key or value at fault, all at once.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Project } from '../model/job.js';
import { hostSchedulerZone } from '../platform/host-zone.js';
import type { SettingsResolver } from './backend-settings.js';
import { checkMeaning, findings, isObject, resolveProject, Reporter } from './checks.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { checkBytes } from './text.js';

export interface LoadOptions {
  /** "Now" for the one-shot-in-the-past check (tests pin it). Default: the current time. */
  now?: Date;
  /** The host's IANA zone, the default job zone. Default: detected. */
  hostTimezone?: string;
  /** Check that env_file and working_dir exist (and env_file's mode). Default: true. */
  checkFilesystem?: boolean;
  /** Name used for the file in diagnostics. Default: `file` as given. */
  displayName?: string;
  /** Where to keep what was learnt from this file, so loading the same bytes again is fast. */
  cache?: LoadCache;
  /**
   * The backends' settings blocks (`kubernetes:`…) to resolve into each job: the providers'
   * (`backendSettings()` of src/backends/registry.ts). Default: none, for a caller that needs
   * the schedules only (the blocks are still checked against the schema).
   */
  backendSettings?: readonly SettingsResolver[];
}

/**
 * A store for the loader's results. Loading the same bytes again then skips the YAML parse and
 * the schema check — most of a no-change plan of a large file — and re-runs only the checks that
 * depend on the clock and the file system; if those find anything new, the file is loaded in
 * full, so diagnostics are always the ones a full load gives.
 */
export interface LoadCache {
  /** Identifies the loader that wrote an entry (a build of sched): entries of another are ignored. */
  readonly build: string;
  /** The text stored under `key`, if any. */
  read(key: string): string | undefined;
  /** Stores `text` under `key`; may silently fail. */
  write(key: string, text: string): void;
}

/** One cache entry: everything a full load learnt that depends on the bytes alone. */
interface CachedLoad {
  /** The loader build, node version and options the entry was made with. */
  fingerprint: string;
  /** SHA-256 of the file's bytes. */
  sha256: string;
  /** The document as plain data. */
  data: Record<string, unknown>;
  /** Job names in file order. */
  names: string[];
  /** The full load's diagnostics (warnings only: files with errors are not cached). */
  diagnostics: Diagnostic[];
  /** What the clock- and file-system-dependent checks found, to compare with a re-run. */
  checks: string[];
}

export interface LoadResult {
  /** Present only when there is no error (warnings allowed). */
  project?: Project;
  /** Sorted by position. */
  diagnostics: Diagnostic[];
  /** The file's text, when it could be decoded (for quoting lines in diagnostics). */
  source?: string;
}

/**
 * The largest schedules file sched reads (16 MiB: about 100,000 jobs). Parsing takes memory
 * several times the file's size, so an absurd file gets a clear error instead of gigabytes.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** The message of the `read-error` diagnostic of a schedules file that does not exist. */
export const FILE_NOT_FOUND = 'file not found';

/**
 * Loads and validates a schedules file. Returns every problem found (sorted by position) and,
 * when there is no error, the resolved project.
 */
export async function loadProject(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const display = options.displayName ?? file;
  const abs = path.resolve(file);

  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? FILE_NOT_FOUND
        : code === 'EISDIR'
          ? 'is a directory, not a schedules file'
          : `cannot read the file (${code ?? (err as Error).message})`;
    return {
      diagnostics: [
        {
          file: display,
          line: 1,
          col: 1,
          severity: 'error',
          code: 'read-error',
          message,
          ...(code === 'ENOENT' ? { hint: 'create one with `sched init`, or pass -f FILE' } : {}),
        },
      ],
    };
  }

  if (bytes.length > MAX_FILE_BYTES) {
    return {
      diagnostics: [
        {
          file: display,
          line: 1,
          col: 1,
          severity: 'error',
          code: 'file-too-large',
          message: `the file is ${bytes.length.toLocaleString('en-US')} bytes; sched reads schedules files of at most ${MAX_FILE_BYTES.toLocaleString('en-US')} bytes (16 MiB)`,
          hint: 'split the jobs into several projects (one schedules file each)',
        },
      ],
    };
  }

  const decoded = checkBytes(bytes);
  if ('problem' in decoded) {
    const p = decoded.problem;
    const d: Diagnostic = {
      file: display,
      line: p.line,
      col: p.col,
      severity: 'error',
      code: p.code,
      message: p.message,
    };
    if (p.hint) d.hint = p.hint;
    return { diagnostics: [d], ...(decoded.text !== undefined ? { source: decoded.text } : {}) };
  }
  return await loadDecoded(decoded.text, bytes, abs, { ...options, displayName: display });
}

/**
 * Loads and validates schedules text that is not read from a file (a library caller's object,
 * written out as YAML): the same schema and meaning checks as {@link loadProject}. `file` is
 * where the project counts as living — relative paths (working_dir, env_file) and the default
 * project name come from its folder — and need not exist. Never cached.
 */
export async function loadProjectText(
  source: string,
  file: string,
  options: Omit<LoadOptions, 'cache'> = {},
): Promise<LoadResult> {
  return await loadDecoded(source, Buffer.from(source, 'utf8'), path.resolve(file), options);
}

async function loadDecoded(
  source: string,
  bytes: Buffer,
  abs: string,
  options: LoadOptions,
): Promise<LoadResult> {
  const display = options.displayName ?? abs;
  const dir = path.dirname(abs);
  const now = options.now ?? new Date();
  const hostZone = options.hostTimezone ?? hostSchedulerZone().zone;
  const checkFs = options.checkFilesystem ?? true;
  const settings = options.backendSettings ?? [];
  const cache = options.cache;
  // What a cache entry must have been made with to stand for this load.
  const stamp = cache && {
    fingerprint: [
      cache.build,
      process.version,
      display,
      hostZone,
      checkFs,
      ...settings.map((s) => s.key),
    ].join('\0'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  if (cache && stamp) {
    const hit = await fromCache(cache, abs, stamp, { dir, now, hostZone, checkFs, display, settings });
    if (hit) return { ...hit, source };
  }

  const { parseSource, dedupe } = await import('./parse.js');
  const parsed = parseSource(source, display);
  if ('diagnostics' in parsed) return { diagnostics: parsed.diagnostics, source };
  const { r, root, names } = parsed;
  const before = r.list.length;
  await checkMeaning({ r, dir, now, hostZone, checkFs, settings }, root, names);
  const checks = findings(r.list.slice(before));

  const diagnostics = sortDiagnostics(dedupe(r.list));
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, source };

  if (cache && stamp && isPlainData(root)) {
    const entry: CachedLoad = { ...stamp, data: root, names, diagnostics, checks };
    cache.write(abs, JSON.stringify(entry));
  }
  return { project: resolveProject(root, names, abs, dir, hostZone, settings), diagnostics, source };
}

/** Whether `v` survives JSON unchanged (YAML can also give ±Infinity, NaN and -0). */
function isPlainData(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(isPlainData);
  if (isObject(v)) return Object.values(v).every(isPlainData);
  return v === null || typeof v === 'string' || typeof v === 'boolean';
}

/**
 * A load from the cache: only when the entry was made by this loader from these very bytes, and
 * the clock- and file-system-dependent checks, re-run now, find exactly what they found then.
 */
async function fromCache(
  cache: LoadCache,
  abs: string,
  stamp: Pick<CachedLoad, 'fingerprint' | 'sha256'>,
  at: {
    dir: string;
    now: Date;
    hostZone: string;
    checkFs: boolean;
    display: string;
    settings: readonly SettingsResolver[];
  },
): Promise<{ project: Project; diagnostics: Diagnostic[] } | undefined> {
  let entry: CachedLoad;
  try {
    entry = JSON.parse(cache.read(abs) ?? 'null') as CachedLoad;
  } catch {
    return undefined;
  }
  if (
    !entry ||
    entry.fingerprint !== stamp.fingerprint ||
    entry.sha256 !== stamp.sha256 ||
    !isObject(entry.data)
  )
    return undefined;
  // Without a document the checks report at 1:1; only what they found is compared.
  const r = new Reporter(at.display);
  await checkMeaning({ r, ...at }, entry.data, entry.names);
  const now = findings(r.list);
  if (now.length !== entry.checks.length || now.some((f, i) => f !== entry.checks[i])) return undefined;
  return {
    project: resolveProject(entry.data, entry.names, abs, at.dir, at.hostZone, at.settings),
    diagnostics: entry.diagnostics,
  };
}
