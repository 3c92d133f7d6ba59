/**
 * A Runner that replays a kubectl transcript from test/fixtures/kubectl/: each call must be the
 * next one in the transcript (argv equal, stdin containing the listed snippets).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { RunOptions, RunResult, Runner } from '../../../src/platform/ports.js';

export interface TranscriptCall {
  argv: string[];
  stdinIncludes?: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/kubectl');

export function loadTranscript(name: string): TranscriptCall[] {
  return (
    JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as { calls: TranscriptCall[] }
  ).calls;
}

export class ReplayRunner implements Runner {
  private next = 0;
  constructor(private readonly calls: TranscriptCall[]) {}

  async run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult> {
    expect(command).toBe('kubectl');
    const call = this.calls[this.next++];
    if (!call) throw new Error(`unexpected call: kubectl ${args.join(' ')}`);
    expect([...args]).toEqual(call.argv);
    for (const s of call.stdinIncludes ?? []) expect(options?.input ?? '').toContain(s);
    return { exitCode: call.exitCode, stdout: call.stdout, stderr: call.stderr };
  }

  /** Every call of the transcript was made. */
  done(): void {
    expect(this.next).toBe(this.calls.length);
  }
}
