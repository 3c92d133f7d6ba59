/**
 * The node_exporter textfile: the project's metrics written atomically (temp file + rename in the
 * same folder), so the collector never reads half a file. Called by `sched run` after each run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { collectProjectMetrics } from './collect.js';
import { renderMetrics } from './exposition.js';

export async function writeMetricsTextfile(
  root: string,
  project: string,
  file: string,
  now: Date,
): Promise<void> {
  const text = renderMetrics(await collectProjectMetrics(root, project, now));
  // The collector skips dot-files and reads only *.prom: the temp name is neither.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
