/**
 * Recorded outputs of a scheduler's CLI (test/fixtures/transcripts/*.json: launchctl, schtasks),
 * each with its source, and how the fakes replay them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../src/platform/ports.js';

const TRANSCRIPTS = path.resolve(import.meta.dirname, '../fixtures/transcripts');

export interface Transcript {
  description: string;
  source: string;
  command: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function transcript(name: string): Transcript {
  return JSON.parse(readFileSync(path.join(TRANSCRIPTS, `${name}.json`), 'utf8')) as Transcript;
}

/** The recorded result with its `{name}` placeholders filled from `vars`; others become `unknown(name)`. */
export function replay(
  t: Transcript,
  vars: Record<string, string>,
  unknown: (name: string) => string = (name) => `{${name}}`,
): RunResult {
  const sub = (s: string): string => s.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? unknown(k));
  return { exitCode: t.exitCode, stdout: sub(t.stdout), stderr: sub(t.stderr) };
}
