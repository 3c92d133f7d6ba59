/**
 * Finds where a job is written in schedules.yaml, so problems found after loading (a backend
 * cannot express a schedule) still point at `schedules.yaml:LINE:COL`.
 */
import { LineCounter, parseDocument } from 'yaml';
import { locate, nodeStart } from '../config/locate.js';

export interface Position {
  line: number;
  col: number;
}

/**
 * For each job name: the position of its `schedule` value when it has one, else of its key.
 * Jobs that cannot be found (the file changed) map to nothing; callers fall back to 1:1.
 */
export function locateJobs(source: string, jobs: readonly string[]): Map<string, Position> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, logLevel: 'error' });
  const found = new Map<string, Position>();
  for (const job of jobs) {
    const schedule = locate(doc, ['jobs', job, 'schedule']);
    const offset = schedule.complete ? nodeStart(schedule.value) : nodeStart(locate(doc, ['jobs', job]).key);
    if (offset !== undefined) found.set(job, lineCounter.linePos(offset));
  }
  return found;
}
