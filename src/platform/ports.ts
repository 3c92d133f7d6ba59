/**
 * Ports: the only ways sched's logic reaches the operating system. Node implementations live
 * beside this file; tests use in-memory or recording ones, so most tests need no OS at all.
 */

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text fed to the command's standard input. */
  input?: string;
  /** Extra environment (merged over the current one). */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /**
   * How `input` is encoded and stdout/stderr decoded. Default `utf8`. `latin1` maps every byte
   * to one character and back, so output that is not UTF-8 (a crontab's foreign lines) survives
   * a read and a write byte for byte.
   */
  encoding?: 'utf8' | 'latin1';
}

/**
 * Runs an external command. Never throws for a non-zero exit: the adapter decides what an exit
 * code means. Throws only when the command cannot be started at all (`ENOENT` and the like).
 */
export interface Runner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /**
   * Whether a process with one of these exact names (as `pgrep -x` matches them) is running, or
   * one of these pid files is not empty — asked of the OS directly instead of by starting `pgrep`;
   * undefined where it cannot tell (no /proc): the caller then runs its command.
   */
  processRunning?(names: readonly string[], pidFiles: readonly string[]): boolean | undefined;
}

/**
 * Hands a complete file to a command instead of a stream a kill could cut short: the content is
 * written to a new file in a private (0700) directory of the current user and fsynced, `use`
 * gets its path, and the directory is removed afterwards.
 */
export interface FileStager {
  stage<T>(name: string, content: Uint8Array, use: (file: string) => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): Date;
}

/** A file in a {@link DirFs}. */
export interface DirEntry {
  name: string;
  isSymlink: boolean;
  isFile: boolean;
}

/**
 * A file system rooted at one directory. Names are single path components: a name with `/`,
 * `..` or a NUL is refused, and symlinks are never followed (sched never writes through a link
 * out of its own directories).
 */
export interface DirFs {
  readonly root: string;
  list(): Promise<DirEntry[]>;
  /** The file's text, or undefined when it does not exist. Refuses symlinks. */
  read(name: string): Promise<string | undefined>;
  /** Atomic write (temp file, fsync, rename) with the given mode (default 0o644). */
  write(name: string, content: string | Uint8Array, mode?: number): Promise<void>;
  /** Removes the file; no error when it is already gone. */
  remove(name: string): Promise<void>;
}

/**
 * What the host's own scheduler reads to know its time zone, for {@link hostSchedulerZone}
 * (platform/host-zone.ts). Never the caller's `$TZ`: cron and systemd do not see the shell
 * that ran `sched apply`. Tests inject a fake /etc/localtime through this.
 */
export interface ZoneFiles {
  platform: NodeJS.Platform;
  /** Where zone files live (`/usr/share/zoneinfo`). */
  zoneinfoDir: string;
  /** Target of the symbolic link `file`; undefined when it is missing or not a link. */
  readLink(file: string): string | undefined;
  /** The file's bytes; undefined when it is missing or unreadable. */
  readBytes(file: string): Uint8Array | undefined;
  /** The zone the JS runtime reports (it honours `$TZ`): the answer only where there is no /etc/localtime to read (Windows). */
  runtimeZone(): string | undefined;
}
