import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochMillisText, isoTimestamp, jsonString, jsonValue, jsonValueAt } from './json.js';

describe('JSON pieces', () => {
  it('writes any string, surrogates and control characters included, as JSON.stringify does', () => {
    fc.assert(
      fc.property(
        fc.string({
          // The edges of what is escaped, among any other characters.
          unit: fc.oneof(
            fc.constantFrom('\u001f', '\u0020', '"', '\\', '\ud7ff', '\ud800', '\udfff', '\ue000', 'a'),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          ),
          maxLength: 12,
        }),
        (value) => {
          expect(jsonString(value)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('writes strings and scalars exactly as JSON.stringify does', () => {
    const strings = [
      '',
      'plain',
      '/orders/:id',
      'q"uote',
      'back\\slash',
      'tab\there',
      '\u0000\u001f',
      'é✓😀',
      '\ud800',
      'a\udc00b',
      '\u2028',
    ];
    for (const value of strings) expect(jsonString(value)).toBe(JSON.stringify(value));
    const values: unknown[] = [
      0,
      -0,
      1.5,
      1e21,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      false,
      null,
      { a: [1, 'x'] },
      [1],
    ];
    for (const value of values) expect(jsonValue(value)).toBe(JSON.stringify(value));
    expect(jsonValue(undefined)).toBeUndefined();
    expect(jsonValue(() => 1)).toBeUndefined();
    expect(jsonValue(Symbol('s'))).toBeUndefined();
    expect(() => jsonValue(1n)).toThrow(TypeError);
  });

  it('writes a member under its key exactly as JSON.stringify does, toJSON given the key', () => {
    const keyed = { toJSON: (key: string) => ({ key }) };
    const cases: [string, unknown][] = [
      ['amount', keyed],
      ['k"ey', keyed],
      ['__proto__', keyed],
      ['when', new Date(0)],
      ['gone', { toJSON: () => undefined }],
      ['plain', { a: 1 }],
      ['n', 7],
    ];
    for (const [key, value] of cases) {
      const whole = JSON.stringify(Object.defineProperty({}, key, { value, enumerable: true }));
      const expected = whole === '{}' ? undefined : whole.slice(JSON.stringify(key).length + 2, -1);
      expect(jsonValueAt(key, value)).toBe(expected);
    }
  });

  it('formats timestamps exactly as Date#toISOString does', () => {
    const samples = [
      0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999, -1,
      -86_400_001, -62_167_219_200_000, 1_796_211_824_093.7,
    ];
    let seed = 1;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 48_271) % 2_147_483_647;
      samples.push(Math.floor((seed / 2_147_483_647) * 8e12) - 1e12);
    }
    for (const ms of samples) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    // Outside years 0000-9999, Date's signed form.
    expect(isoTimestamp(-62_167_219_200_001)).toBe(new Date(-62_167_219_200_001).toISOString());
    expect(isoTimestamp(253_402_300_800_000)).toBe('+010000-01-01T00:00:00.000Z');
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
  });

  it('writes epoch milliseconds exactly as String does, within a second, across seconds and backwards', () => {
    const start = 1_796_211_824_000;
    const times = [start, start + 7, start + 999, start + 1000, start - 1, start + 86_400_000, start];
    for (let ms = start - 3000; ms < start + 3000; ms += 13) times.push(ms);
    // Injected clocks: small, fractional, negative, past the safe integers, not a number.
    times.push(0, 5, 999, 1000, 1001, 1.5, start + 0.25, -1, -5000, 2 ** 53, 2 ** 60, Number.NaN, Infinity);
    for (const ms of times) expect(epochMillisText(ms)).toBe(String(ms));
  });

  it('keeps timestamps exact when consecutive lines share a second, cross one, or go back in time', () => {
    // The time up to the second is kept from the line before: a stale second would show here.
    const start = 1_796_211_824_000;
    const times = [
      start,
      start + 1,
      start + 999,
      start + 1000,
      start + 1001,
      start - 1,
      start + 86_400_000,
      start,
    ];
    for (let ms = start - 3000; ms < start + 3000; ms += 7) times.push(ms, ms + 0.9);
    for (const ms of times) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });
});
