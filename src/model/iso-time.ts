/**
 * `Date.prototype.toISOString`, the same text, written from the UTC fields. Every run stamps its
 * records and log lines, and the engine's first `toISOString` call in a process costs about a
 * millisecond (the first of every `sched run`); reading the fields costs microseconds.
 */

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The ISO 8601 instant of `d` (`2026-01-31T23:59:59.999Z`), exactly as `d.toISOString()`. */
export function isoTime(d: Date): string {
  const year = d.getUTCFullYear();
  // Years toISOString writes with a sign and six digits, and invalid dates (it throws): its own.
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  const ms = d.getUTCMilliseconds();
  return (
    `${String(year).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}` +
    `T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}` +
    `.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`
  );
}
