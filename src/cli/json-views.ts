/**
 * The published JSON of the commands whose output is data (docs/json.md): each object carries a
 * `format_version` and only snake_case keys. Services keep their own shapes (the library API and
 * the MCP server use them); the conversion happens here, at the edge. Within a format version,
 * fields are only ever added; a rename or a change of shape bumps it.
 */
import type { Diagnostic } from '../config/diagnostic.js';
import type { CheckReport } from '../services/check.js';
import type { DoctorReport } from '../services/doctor.js';
import type { TextEdit } from '../services/edit.js';
import type { ImportOutcome } from '../services/import.js';
import type { RunNowResult } from '../services/run-now.js';
import type { CycleResult } from '../services/watch.js';
import type { RunRecord } from '../state/runs.js';
import type { Plan } from '../plan/types.js';
import { planToJson, type PlanJson } from '../plan/view-json.js';

/**
 * Every format and its current version. 1: new, or a field added to what was printed before;
 * 2: the output changed shape (an array became an object with `format_version`) or keys were
 * renamed to snake_case.
 */
export const JSON_FORMAT_VERSIONS = {
  doctor: 1,
  check: 1,
  history: 2,
  next: 2,
  validate: 2,
  render: 2,
  import: 2,
  logs: 1,
  run_now: 1,
  edit: 1,
  watch: 1,
  // `daemon --json` log lines: DAEMON_LOG_FORMAT_VERSION in src/services/daemon.ts (2);
  // `daemon --install --json`: 1.
} as const;

/** Prints one JSON document (indented) on stdout. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints one JSON line on stdout (streams: `logs --json`, `watch --json`). */
export function writeJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function doctorJson(report: DoctorReport) {
  return {
    format_version: JSON_FORMAT_VERSIONS.doctor,
    failed: report.failed,
    findings: report.findings.map((f) => ({
      id: f.id,
      status: f.status,
      message: f.message,
      fix: f.fix ?? null,
    })),
  };
}

export function checkJson(report: CheckReport) {
  return { format_version: JSON_FORMAT_VERSIONS.check, ...report };
}

export function historyJson(project: string, job: string, runs: readonly RunRecord[]) {
  return { format_version: JSON_FORMAT_VERSIONS.history, project, job, runs };
}

export function nextJson(schedule: string, timezone: string, nextRuns: readonly string[]) {
  return { format_version: JSON_FORMAT_VERSIONS.next, schedule, timezone, next_runs: nextRuns };
}

export function validateJson(
  file: string,
  valid: boolean,
  project: { name: string; jobs: readonly unknown[] } | undefined,
  diagnostics: readonly Diagnostic[],
) {
  return {
    format_version: JSON_FORMAT_VERSIONS.validate,
    file,
    valid,
    project: project?.name ?? null,
    jobs: project ? project.jobs.length : null,
    diagnostics,
  };
}

export function renderJson(backend: string, files: readonly string[]) {
  return { format_version: JSON_FORMAT_VERSIONS.render, backend, files };
}

export function importJson(outcome: ImportOutcome) {
  const w = outcome.written;
  return {
    format_version: JSON_FORMAT_VERSIONS.import,
    scanned: outcome.scanned,
    skipped: outcome.skipped,
    proposals: outcome.proposals,
    refused: outcome.refused,
    yaml: outcome.yaml,
    written: w
      ? {
          file: w.file,
          backup: w.backup ?? null,
          commented_out: w.commentedOut,
          disabled: w.disabled,
          plan: w.plan ? planToJson(w.plan) : null,
        }
      : null,
  };
}

/** A run log line, `<instant> <stream> <text>`; a line not in that form is all text. */
export function logLineJson(project: string, job: string, line: string) {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (out|err|sched) (.*)$/s.exec(line);
  return {
    format_version: JSON_FORMAT_VERSIONS.logs,
    project,
    job,
    at: m ? m[1]! : null,
    stream: m ? m[2]! : null,
    text: m ? m[3]! : line,
  };
}

export function runNowJson(job: string, result: RunNowResult) {
  return {
    format_version: JSON_FORMAT_VERSIONS.run_now,
    job,
    backend: result.backend,
    via: result.via,
  };
}

/** What `add`/`pause`/`resume`/`remove` did to the file, the plan, and the apply when asked. */
export function editJson(fields: {
  action: 'add' | 'pause' | 'resume' | 'remove';
  job: string;
  file: string;
  edit: Pick<TextEdit, 'changed' | 'note' | 'reserialized'>;
  warnings: readonly Diagnostic[];
  plan: Plan;
  applied: boolean;
  applySummary?: Plan['summary'];
}) {
  return {
    format_version: JSON_FORMAT_VERSIONS.edit,
    action: fields.action,
    job: fields.job,
    file: fields.file,
    changed: fields.edit.changed,
    note: fields.edit.note ?? null,
    reformatted: Boolean(fields.edit.reserialized),
    warnings: fields.warnings,
    plan: planToJson(fields.plan),
    applied: fields.applied,
    apply_summary: fields.applySummary ?? null,
  };
}

/** `watch --json`: the start, then one line per cycle. */
export function watchStartJson(paths: readonly string[], apply: boolean) {
  return { format_version: JSON_FORMAT_VERSIONS.watch, event: 'watching', paths, apply };
}

export function watchCycleJson(r: CycleResult, statusLine: string) {
  const error = r.error as (Error & { hint?: string }) | undefined;
  const plan: PlanJson | null = r.plan ? planToJson(r.plan) : null;
  return {
    format_version: JSON_FORMAT_VERSIONS.watch,
    event: 'cycle',
    at: r.at.toISOString(),
    trigger: r.trigger,
    status: r.status,
    line: statusLine,
    plan,
    diagnostics: r.diagnostics ?? null,
    error: error ? { message: error.message, hint: error.hint ?? null } : null,
    held_jobs: r.heldJobs ?? null,
    deletes: r.deletes ?? null,
    max_delete: r.maxDelete ?? null,
    applied: r.applied ?? null,
    holder: r.holder ?? null,
  };
}

export function watchStoppedJson() {
  return { format_version: JSON_FORMAT_VERSIONS.watch, event: 'stopped' };
}
