/** The one run-duration formatter (`status` without tenths, `history` with them). */
import { describe, expect, it } from 'vitest';
import { formatElapsed } from '../../src/config/duration.js';

describe('formatElapsed', () => {
  it.each([
    [0, '0ms', '0ms'],
    [999, '999ms', '999ms'],
    [1000, '1s', '1.0s'],
    [41_700, '42s', '41.7s'],
    [59_600, '1m0s', '59.6s'],
    [65_000, '1m5s', '1m5s'],
    // Rounded once, before splitting: never `1m60s` (history printed that before).
    [119_600, '2m0s', '2m0s'],
    [3_599_600, '1h0m', '1h0m'],
    [7_625_000, '2h7m', '2h7m'],
  ])('%i ms → %s (status), %s (history)', (ms, plain, tenths) => {
    expect(formatElapsed(ms)).toBe(plain);
    expect(formatElapsed(ms, { tenths: true })).toBe(tenths);
  });
});
