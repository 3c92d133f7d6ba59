/**
 * The notification event: what a webhook receives as JSON, a command on its standard input, an
 * email in its body. Its JSON Schema is schemas/notification-event.schema.json; fields are
 * snake_case and only ever added to.
 */
import type { Notifier, NotifyEvent } from '../model/job.js';
import type { RunRecord } from '../state/runs.js';

export interface NotificationEvent {
  event: NotifyEvent;
  project: string;
  job: string;
  host: string;
  backend: string;
  /** The run's outcome (`ok`, `failed`, `timeout`…); `missed` for a missed fire time; null at `start`. */
  result: string | null;
  exit_code: number | null;
  run_id: string | null;
  started: string | null;
  finished: string | null;
  duration_ms: number | null;
  attempts: number;
  /** The fire time the run was for (or that was missed), when known. */
  scheduled: string | null;
  /** The last lines of the job's log, at most {@link LOG_TAIL_BYTES} bytes. */
  log_tail: string;
  sched_version: string;
}

export const LOG_TAIL_LINES = 20;
export const LOG_TAIL_BYTES = 4096;

/** The last lines of a log, cut from the front to at most `maxBytes` bytes (whole characters). */
export function capTail(lines: string[], maxBytes = LOG_TAIL_BYTES): string {
  let text = lines.join('\n');
  const buf = Buffer.from(text);
  if (buf.length > maxBytes)
    text = buf
      .subarray(buf.length - maxBytes)
      .toString('utf8')
      .replace(/^\uFFFD+/, '');
  return text;
}

/**
 * The event a finished run makes: `failure` for failed/timeout, `recovery` for the first ok
 * after failures, `success` for another ok; none for skipped or interrupted runs (nothing
 * to report: a skip is a rule working, an interruption someone's deliberate stop).
 */
export function eventForOutcome(result: string, previous: string | undefined): NotifyEvent | undefined {
  if (result === 'failed' || result === 'timeout') return 'failure';
  if (result !== 'ok') return undefined;
  return previous === 'failed' || previous === 'timeout' ? 'recovery' : 'success';
}

/** Does `notifier` want `event`? A recovery is a success too, for those that only asked for successes. */
export function wants(notifier: Notifier, event: NotifyEvent): boolean {
  return notifier.on.includes(event) || (event === 'recovery' && notifier.on.includes('success'));
}

/** The outcome of the run before `id`, from history (newest first): the attempts of `id` itself are skipped. */
export function previousOutcome(history: readonly RunRecord[], id: string): string | undefined {
  for (const r of history) {
    if (r.id === id || r.id.startsWith(`${id}-`)) continue;
    if (r.result === 'ok' || r.result === 'failed' || r.result === 'timeout') return r.result;
  }
  return undefined;
}

/** One line for a chat message or a mail subject. */
export function summary(e: NotificationEvent): string {
  const what: Record<NotifyEvent, string> = {
    failure: `failed (${e.result}${e.exit_code === null ? '' : `, exit code ${e.exit_code}`})`,
    recovery: 'recovered: ok again',
    success: 'succeeded',
    start: 'started',
    missed: `missed its run${e.scheduled ? ` due ${e.scheduled}` : ''}: nothing was recorded`,
  };
  return `sched: ${e.project}/${e.job} on ${e.host} ${what[e.event]}`;
}

/** The Slack (and compatible) body: `{"text": …}` with the log tail in a code block. */
export function slackBody(e: NotificationEvent): { text: string } {
  const tail = e.log_tail ? `\n\`\`\`\n${e.log_tail.slice(-1500)}\n\`\`\`` : '';
  return { text: `${summary(e)}${tail}` };
}
