/**
 * maskText reads text a caller controls (audit reasons naming body paths, correlation ids), so it
 * must be linear. The reference regexes below are the plain statement of what is masked; they
 * backtrack quadratically on hostile input, so they serve only as the oracle on short text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskText } from './masking.js';

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const EMAIL = /\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g;
const reference = (text: string) =>
  text.replace(JWT, '***').replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`);

describe('maskText', () => {
  it('masks JWTs and emails as the reference expressions do (5,000 short texts)', () => {
    const pieces = [
      'eyJ',
      'eyJhbGci',
      '.',
      '-',
      '_',
      '@',
      'a',
      'Ab',
      'co',
      '1',
      ' ',
      'x.y',
      'example.com',
      '%',
      '+',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), (parts) => {
        const text = `say ${parts.join('')} end`;
        expect(maskText(text)).toBe(reference(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('ReDoS: hostile emails, JWT look-alikes and @ runs are masked in linear time', () => {
    const hostile = [
      `${'a.'.repeat(200_000)}@${'a.'.repeat(200_000)}!`,
      '-eyJaaaa'.repeat(50_000),
      `${'a'.repeat(200_000)}@${'a'.repeat(200_000)}`,
      '@'.repeat(200_000),
      `${'eyJaaaaa.'.repeat(40_000)}`,
    ];
    const started = performance.now();
    for (const text of hostile) maskText(text);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
