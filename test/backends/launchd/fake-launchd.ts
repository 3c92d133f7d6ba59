/**
 * A fake launchd behind the Runner port: it keeps the loaded labels of one gui/<uid> domain,
 * reads plists from the same DirFs the backend writes, and answers `launchctl` with the outputs
 * recorded in test/fixtures/transcripts/launchctl-*.json.
 */
import path from 'node:path';
import type { DirFs, RunOptions, RunResult, Runner } from '../../../src/platform/ports.js';
import { parseLaunchdPlist } from '../../../src/backends/launchd/index.js';
import { replay, transcript, type Transcript } from '../../fakes/transcripts.js';

/** launchd's outputs with unknown placeholders left empty. */
const fill = (t: Transcript, vars: Record<string, string>): RunResult => replay(t, vars, () => '');

export interface FakeLaunchdOptions {
  uid?: number;
  /** After a bootout, the next N bootstraps of that label fail with EIO (launchd still tearing down). */
  eioAfterBootout?: number;
  /** The next N bootouts fail with "5: Input/output error" (then succeed). */
  bootoutEio?: number;
  /** Every bootstrap is refused (no GUI session). */
  denied?: boolean;
  /** Older macOS: "17: File exists" instead of EIO for an already loaded label. */
  oldRelease?: boolean;
}

export class FakeLaunchd implements Runner {
  /** label → plist path */
  readonly loaded = new Map<string, string>();
  readonly calls: string[][] = [];
  readonly kicked: string[] = [];
  private pendingEio = new Map<string, number>();
  private bootoutEio: number;

  constructor(
    private readonly dir: DirFs,
    readonly options: FakeLaunchdOptions = {},
  ) {
    this.bootoutEio = options.bootoutEio ?? 0;
  }

  get uid(): number {
    return this.options.uid ?? 501;
  }

  async run(command: string, args: readonly string[], _options?: RunOptions): Promise<RunResult> {
    this.calls.push([command, ...args]);
    if (command !== 'launchctl')
      throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
    const [verb, ...rest] = args;
    const domain = `gui/${this.uid}`;
    const target = (t: string | undefined): string | undefined =>
      t?.startsWith(`${domain}/`) ? t.slice(domain.length + 1) : undefined;
    switch (verb) {
      case 'bootstrap': {
        const [dom, file] = rest as [string, string];
        if (this.options.denied || dom !== domain) return fill(transcript('launchctl-bootstrap-denied'), {});
        if (path.dirname(file) !== this.dir.root) return fill(transcript('launchctl-bootstrap-no-file'), {});
        const text = await this.dir.read(path.basename(file));
        if (text === undefined) return fill(transcript('launchctl-bootstrap-no-file'), {});
        const label = parseLaunchdPlist(text).label;
        if (this.loaded.has(label))
          return fill(
            transcript(this.options.oldRelease ? 'launchctl-bootstrap-exists' : 'launchctl-bootstrap-eio'),
            {},
          );
        const pending = this.pendingEio.get(label) ?? 0;
        if (pending > 0) {
          this.pendingEio.set(label, pending - 1);
          return fill(transcript('launchctl-bootstrap-eio'), {});
        }
        this.loaded.set(label, file);
        return fill(transcript('launchctl-bootstrap-ok'), {});
      }
      case 'bootout': {
        const label = target(rest[0]);
        if (!label || !this.loaded.has(label)) return fill(transcript('launchctl-bootout-not-loaded'), {});
        if (this.bootoutEio > 0) {
          this.bootoutEio--;
          return fill(transcript('launchctl-bootout-eio'), {});
        }
        this.loaded.delete(label);
        this.pendingEio.set(label, this.options.eioAfterBootout ?? 0);
        return fill(transcript('launchctl-bootout-ok'), {});
      }
      case 'print': {
        const label = target(rest[0]);
        if (rest[0] === domain)
          return { exitCode: 0, stdout: `${domain} = {\n\ttype = login\n}\n`, stderr: '' };
        if (!label || !this.loaded.has(label))
          return fill(transcript('launchctl-print-not-loaded'), { label: label ?? rest[0] ?? '' });
        return fill(transcript('launchctl-print-ok'), {
          uid: String(this.uid),
          label,
          path: this.loaded.get(label)!,
          program: '/opt/homebrew/bin/node',
        });
      }
      case 'kickstart': {
        const label = target(rest[rest.length - 1]);
        if (!label || !this.loaded.has(label))
          return fill(transcript('launchctl-kickstart-not-loaded'), { label: label ?? '' });
        this.kicked.push(label);
        return fill(transcript('launchctl-kickstart-ok'), {});
      }
      case 'list': {
        const rows = [...this.loaded.keys()].map((l) => `-\t0\t${l}\n`).join('');
        return fill(transcript('launchctl-list'), { rows });
      }
      default:
        return {
          exitCode: 64,
          stdout: '',
          stderr: `Unrecognized subcommand: ${verb}\nUsage: launchctl <subcommand> ... | help [subcommand]\n`,
        };
    }
  }
}
