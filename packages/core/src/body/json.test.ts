import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors/errors.js';
import { parseJsonSafely } from './json.js';

// Text made of the characters that decide where a JSON string ends and what counts as a member.
const tricky = fc.string({
  unit: fc.constantFrom('"', '\\', ':', 'a', '{', '[', ']', '}', ','),
  maxLength: 12,
});
const value = fc.oneof(
  tricky,
  fc.integer(),
  fc.array(tricky, { maxLength: 4 }),
  fc.dictionary(tricky, tricky, { maxKeys: 4 }),
);
const object = fc.dictionary(tricky, value, { minKeys: 1, maxKeys: 6 });

function reason(text: string): string | undefined {
  try {
    parseJsonSafely(text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return ((error as BadRequestError).details as { reason?: string } | undefined)?.reason ?? 'other';
  }
}

describe('parseJsonSafely: string ends and members', () => {
  it('parses what JSON.stringify writes, whatever quotes, backslashes and colons its strings hold', () => {
    fc.assert(
      fc.property(object, (v) => {
        expect(parseJsonSafely(JSON.stringify(v))).toEqual(v);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a repeated key hidden behind escaped quotes and backslashes is refused', () => {
    fc.assert(
      fc.property(object, fc.nat(), (v, pick) => {
        const keys = Object.keys(v);
        const key = keys[pick % keys.length] as string;
        const text = `{${JSON.stringify(key)}:0,${JSON.stringify(v).slice(1)}`;
        expect(reason(text)).toBe('duplicate_key');
      }),
      { numRuns: 2_000 },
    );
  });
});
