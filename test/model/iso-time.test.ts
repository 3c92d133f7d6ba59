import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/model/iso-time.js';

describe('isoTime', () => {
  it('writes what toISOString writes, for any instant', () => {
    // ±8.64e15 ms is the whole range of a Date: six-digit and negative years included.
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const d = new Date(ms);
        expect(isoTime(d)).toBe(d.toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('pads every field: the first millisecond of year 0 and the last of 9999', () => {
    for (const text of ['0000-01-01T00:00:00.000Z', '0009-02-03T04:05:06.007Z', '9999-12-31T23:59:59.999Z'])
      expect(isoTime(new Date(text))).toBe(text);
  });

  it('throws on an invalid date, as toISOString does', () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
