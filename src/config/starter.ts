/**
 * The starter schedules.yaml written by `sched init`: a valid file with the schema modeline, one
 * harmless job and commented examples of everything else.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS, type BackendChoice } from '../model/job.js';
import { PUBLISHED_SCHEMA_URL, SCHEMA_URL } from './schema.js';

/**
 * What to put after `$schema=` for a file in `dir`: a relative path when a copy of the schema is
 * reachable from there (the repository's `schemas/`, or sched installed in `node_modules`), so
 * editors work offline and match the installed version; else the absolute path of the schema
 * this sched ships (a global install), which exists as long as that sched is installed; the
 * published URL only when sched runs without its schema file.
 */
export function schemaReference(dir: string): string {
  const candidates = [
    path.join(dir, 'node_modules', 'sched', 'schemas', 'schedules.schema.json'),
    path.join(dir, 'schemas', 'schedules.schema.json'),
  ];
  for (const c of candidates) {
    if (existsSync(c)) return toRelative(dir, c);
  }
  const own = fileURLToPath(SCHEMA_URL);
  if (!existsSync(own)) return PUBLISHED_SCHEMA_URL;
  // sched's own schema, when it lives under `dir` (e.g. a project that vendors sched).
  const rel = path.relative(dir, own);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return toRelative(dir, own);
  return own.split(path.sep).join('/');
}

function toRelative(dir: string, file: string): string {
  const rel = path.relative(dir, file).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export interface StarterOptions {
  project: string;
  backend: BackendChoice;
  schemaRef: string;
  /** What `auto` picked on the machine that ran `sched init`, and why (a comment only). */
  detected?: string;
  /**
   * The chosen backend's required settings, as lines under `defaults:` (its provider's
   * `starterSettings`), or nothing.
   */
  backendSettings?: string;
}

/** The starter file's text. It validates as written (tested). */
export function starterYaml({
  project,
  backend,
  schemaRef,
  detected,
  backendSettings,
}: StarterOptions): string {
  const settings = backendSettings ?? '';
  return `# yaml-language-server: $schema=${schemaRef}
#
# Scheduled jobs for this project, managed by sched (https://github.com/sched-dev/sched).
#   sched validate   check this file
#   sched plan       show what would change on this host
#   sched apply      make the host's scheduler match this file
version: 1
${`project: ${project}`.padEnd(35)} # ownership namespace: sched only touches what it installed for it
${`backend: ${backend}`.padEnd(35)} # ${['auto', ...BACKENDS].join(' | ')}
${detected && backend === 'auto' ? `#   on the machine that ran sched init, auto picked: ${detected.replace(/\s+/g, ' ')}\n` : ''}
defaults:
  overlap: skip                     # a run while the previous one is still going is skipped
  # timezone: Europe/Berlin         # default: the host's zone
  # env: { PATH: /usr/local/bin:/usr/bin:/bin }
${settings}
jobs:
  hello:
    description: Say hello every morning (replace with a real job)
    schedule: day                   # 09:00 daily; presets: hour, day, weekday, week, month, boot, wake
    command: ["echo", "hello from sched"]   # a list runs without a shell

  # nightly-backup:
  #   description: Back up the database
  #   schedule: "30 2 * * *"        # 5-field cron: minute hour day-of-month month day-of-week
  #   command: ./scripts/backup.sh --full   # a string runs through /bin/sh -c
  #   working_dir: .                # relative to this file
  #   env_file: .env.backup         # secrets stay in a chmod 600 file, never in this one
  #   timeout: 30m
  #   retries: { max: 2, delay: 1m }
  #   catch_up: true                # run once after the machine was off at 02:30
  #
  # year-end:
  #   schedule: { at: "2030-12-31 09:00" }   # a one-shot, in the job's zone
  #   command: ./close-books.sh
`;
}
