/**
 * Failed deliveries of a job, one JSON line each (`notify-failures.jsonl` beside history.jsonl),
 * so that `sched history` shows them next to the run they were about. Targets are masked.
 */
import path from 'node:path';
import { appendTextSync, readTextSync, writeAtomicSync } from '../state/files.js';
import { jobStateDir } from '../state/paths.js';

export const NOTIFY_FAILURES_FILE = 'notify-failures.jsonl';
const KEEP = 500;

export interface NotifyFailureRecord {
  run_id: string | null;
  event: string;
  at: string;
  target: string;
  error: string;
}

function fileOf(root: string, project: string, job: string): string {
  return path.join(jobStateDir(root, project, job), NOTIFY_FAILURES_FILE);
}

export function recordNotifyFailures(
  root: string,
  project: string,
  job: string,
  records: readonly NotifyFailureRecord[],
): void {
  if (records.length === 0) return;
  const file = fileOf(root, project, job);
  const size = appendTextSync(file, records.map((r) => JSON.stringify(r) + '\n').join(''));
  if (size > KEEP * 600) {
    const lines = (readTextSync(file) ?? '').split('\n').filter(Boolean);
    writeAtomicSync(file, lines.slice(-KEEP).join('\n') + '\n');
  }
}

/** Failed deliveries by run id. */
export function readNotifyFailures(
  root: string,
  project: string,
  job: string,
): Map<string, NotifyFailureRecord[]> {
  const out = new Map<string, NotifyFailureRecord[]>();
  for (const line of (readTextSync(fileOf(root, project, job)) ?? '').split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as NotifyFailureRecord;
      if (!r.run_id) continue;
      out.set(r.run_id, [...(out.get(r.run_id) ?? []), r]);
    } catch {
      // A torn line after a crash.
    }
  }
  return out;
}
