/**
 * A fake `systemctl` (and `loginctl`) over a unit directory — a real one or a MemoryDirFs. It
 * keeps what daemon-reload loaded, which timers are enabled and active, and answers `show` and
 * `list-units` the way systemd does (NeedDaemonReload when a file changed on disk since the last reload). Anything
 * else on the Runner is refused as "not found", like a missing binary. Every call is recorded.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MemoryDirFs } from '../../src/platform/node.js';
import type { RunOptions, RunResult, Runner } from '../../src/platform/ports.js';

export class FakeSystemctl implements Runner {
  readonly calls: string[][] = [];
  readonly enabled = new Set<string>();
  readonly active = new Set<string>();
  loaded = new Map<string, string>();
  /** What `loginctl show-user -p Linger` says. */
  linger: 'yes' | 'no' = 'yes';
  /** The next call of this verb fails (a crash or a refusal half-way through an apply). */
  failOnce: string | undefined;

  /** @param onDisk the unit files as they are now: name → content. */
  constructor(private readonly onDisk: () => Promise<Map<string, string>>) {}

  /** Over a real directory. */
  static overDirectory(unitDir: string): FakeSystemctl {
    return new FakeSystemctl(async () => {
      const names = await readdir(unitDir).catch(() => [] as string[]);
      const out = new Map<string, string>();
      for (const n of names) out.set(n, await readFile(path.join(unitDir, n), 'utf8'));
      return out;
    });
  }

  /** Over an in-memory directory. */
  static overMemory(dir: MemoryDirFs): FakeSystemctl {
    return new FakeSystemctl(() =>
      Promise.resolve(new Map([...dir.files].map(([name, f]) => [name, f.content]))),
    );
  }

  async run(command: string, args: readonly string[], _options?: RunOptions): Promise<RunResult> {
    this.calls.push([command, ...args]);
    const ok = (stdout = ''): RunResult => ({ exitCode: 0, stdout, stderr: '' });
    if (command === 'loginctl') return ok(`Linger=${this.linger}\n`);
    if (command !== 'systemctl')
      throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
    const rest = args[0] === '--user' ? args.slice(1) : args;
    const units = rest.includes('--') ? rest.slice(rest.indexOf('--') + 1) : rest.slice(1);
    if (this.failOnce === rest[0]) {
      this.failOnce = undefined;
      return {
        exitCode: 1,
        stdout: '',
        stderr: `Failed to ${rest[0]} unit: Transport endpoint is not connected\n`,
      };
    }
    switch (rest[0]) {
      case 'is-system-running':
        return ok('running\n');
      case 'daemon-reload':
        // Like systemd, only unit names load (not sched's reload marker, a dot file).
        this.loaded = new Map(
          [...(await this.onDisk())].filter(([n]) => /^[^.].*\.(service|timer)$/.test(n)),
        );
        // A unit whose file is gone is no longer enabled (its wants/ link went with disable).
        for (const u of [...this.enabled]) if (!this.loaded.has(u)) this.enabled.delete(u);
        return ok();
      case 'show': {
        const disk = await this.onDisk();
        return ok(
          units
            .map((u) => {
              const loaded = this.loaded.get(u);
              return [
                `Id=${u}`,
                `LoadState=${loaded !== undefined ? 'loaded' : 'not-found'}`,
                `UnitFileState=${this.enabled.has(u) ? 'enabled' : loaded !== undefined ? 'disabled' : ''}`,
                `ActiveState=${this.active.has(u) ? 'active' : 'inactive'}`,
                `NeedDaemonReload=${disk.get(u) !== loaded ? 'yes' : 'no'}`,
              ].join('\n');
            })
            .join('\n\n') + '\n',
        );
      }
      case 'list-units': {
        // Loaded units matching the glob patterns (what --all --plain --no-legend prints).
        const globs = units.map(
          (g) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`),
        );
        return ok(
          [...this.loaded.keys()]
            .filter((u) => globs.some((g) => g.test(u)))
            .sort()
            .map((u) => `${u} loaded ${this.active.has(u) ? 'active' : 'inactive'} dead ${u}\n`)
            .join(''),
        );
      }
      case 'enable':
        for (const u of units) {
          if (!this.loaded.has(u))
            return {
              exitCode: 1,
              stdout: '',
              stderr: `Failed to enable unit: Unit file ${u} does not exist.\n`,
            };
          this.enabled.add(u);
        }
        return ok();
      case 'restart':
      case 'start':
        for (const u of units) this.active.add(u);
        return ok();
      case 'stop':
        for (const u of units) this.active.delete(u);
        return ok();
      case 'disable':
        for (const u of units) {
          this.enabled.delete(u);
          if (rest.includes('--now')) this.active.delete(u);
        }
        return ok();
      default:
        return { exitCode: 1, stdout: '', stderr: `Unknown command verb ${rest[0]}.\n` };
    }
  }
}
