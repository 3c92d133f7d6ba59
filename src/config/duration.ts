/**
 * Durations as written in schedules.yaml: a number with a unit, units in decreasing order,
 * each at most once (`30s`, `5m`, `1h30m`, `2d`). No bare numbers: `5` could mean anything.
 */

/**
 * The longest duration a schedules file may give (timeout, jitter, retries.delay): 24 days. The
 * wrapper waits with Node timers, which hold at most 2^31-1 ms (about 24.8 days) — a longer
 * wait would overflow to 1 ms — so longer values are refused, never shortened.
 */
export const MAX_DURATION_SECONDS = 24 * 86400;

const DURATION = /^(?=[0-9])(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/;

/** Whole seconds of a duration, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? 0 : Number(x))) as [
    number,
    number,
    number,
    number,
  ];
  const total = d * 86400 + h * 3600 + min * 60 + s;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Formats seconds back into the shortest duration text (`5400` → `1h30m`, `0` → `0s`). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/**
 * The one formatter of how long a run took, for `status` and `history`: `850ms`, `42s` (or
 * `41.7s` with `tenths`), `3m5s`, `2h7m`. Seconds are rounded once, before splitting, so a value
 * never reads `1m60s`.
 */
export function formatElapsed(ms: number, options: { tenths?: boolean } = {}): string {
  if (ms < 1000) return `${ms}ms`;
  if (options.tenths && ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
