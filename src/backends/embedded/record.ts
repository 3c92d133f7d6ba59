/**
 * The embedded backend's one artifact per job: a JSON record `<job>.json` in
 * `<stateRoot>/embedded/<project>/`, read by `sched daemon`. The ownership header lives in a
 * `"sched"` field; the hash covers the rest of the object, so a hand edit shows as drift exactly
 * like an edited unit file does.
 */
import { contentHash, formatOwnership, parseOwnership } from '../header.js';
import type { Job, Schedule } from '../../model/job.js';
import { isValidJobName, isValidProjectName } from '../../model/job.js';

/** The body of a record: what the daemon needs to fire a job (the wrapper reads the rest from the applied spec). */
export interface EmbeddedRecordBody {
  format_version: 1;
  project: string;
  job: string;
  schedule: Schedule;
  timezone: string;
}

/** File name of a job's record. */
export function recordFileName(job: string): string {
  return `${job}.json`;
}

/** The job a record file name stands for, or undefined when it is not a record file. */
export function jobFromFileName(name: string): string | undefined {
  if (!name.endsWith('.json')) return undefined;
  const job = name.slice(0, -'.json'.length);
  return isValidJobName(job) ? job : undefined;
}

function serializeBody(body: object): string {
  return JSON.stringify(body, null, 2);
}

/** Renders a job's record: the exact bytes written and the hash recorded in its header. */
export function renderRecord(job: Job): { content: string; hash: string; body: EmbeddedRecordBody } {
  const body: EmbeddedRecordBody = {
    format_version: 1,
    project: job.project,
    job: job.name,
    schedule: job.schedule,
    timezone: job.timezone,
  };
  const hash = contentHash(serializeBody(body));
  const header = formatOwnership({ project: job.project, job: job.name, hash });
  return { content: JSON.stringify({ sched: header, ...body }, null, 2) + '\n', hash, body };
}

export interface ParsedRecord {
  /** The hash in the header; undefined when there is no sched header (not ours). */
  recordedHash?: string;
  /** The hash of the body as it is now. */
  actualHash: string;
  /** The body when it is well-formed and names the expected project and job; else undefined. */
  body?: EmbeddedRecordBody;
  /** Why `body` is undefined. */
  problem?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSchedule(v: unknown): v is Schedule {
  if (!isObject(v) || typeof v.source !== 'string') return false;
  switch (v.kind) {
    case 'cron':
      return typeof v.expr === 'string';
    case 'event':
      return v.event === 'boot' || v.event === 'wake';
    case 'at':
      return typeof v.local === 'string';
    default:
      return false;
  }
}

/**
 * Parses a record's text. Never throws: a record that is not JSON or not well-formed comes back
 * with a `problem` (and hashes that show it as drift when it carries sched's header).
 */
export function parseRecord(text: string, project: string, job: string): ParsedRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {
      recordedHash: parseOwnership(text)?.hash,
      actualHash: contentHash(text),
      problem: 'not valid JSON',
    };
  }
  if (!isObject(parsed)) {
    return { actualHash: contentHash(text), problem: 'not a JSON object' };
  }
  const { sched, ...rest } = parsed;
  const ownership = typeof sched === 'string' ? parseOwnership(sched) : undefined;
  const actualHash = contentHash(serializeBody(rest));
  const result: ParsedRecord = { recordedHash: ownership?.hash, actualHash };
  if (!ownership) return { ...result, problem: 'no sched ownership header' };
  if (ownership.project !== project || ownership.job !== job) {
    return {
      ...result,
      problem: `header names ${ownership.project}/${ownership.job}, expected ${project}/${job}`,
    };
  }
  if (
    rest.format_version !== 1 ||
    rest.project !== project ||
    rest.job !== job ||
    typeof rest.timezone !== 'string' ||
    !isSchedule(rest.schedule) ||
    !isValidProjectName(project) ||
    !isValidJobName(job)
  ) {
    return { ...result, problem: 'malformed record (project, job, schedule or timezone missing or wrong)' };
  }
  return {
    ...result,
    body: { format_version: 1, project, job, schedule: rest.schedule, timezone: rest.timezone },
  };
}
