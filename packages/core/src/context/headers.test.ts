import { describe, expect, it } from 'vitest';
import { isHeaderName, isHeaderValue, isSafeRequestId } from './headers.js';

// The rule as a regular expression, to check the char-code scan against.
const SAFE = /^[A-Za-z0-9._:@=+/-]{1,128}$/;

describe('isSafeRequestId', () => {
  it('agrees with the documented charset on every single character', () => {
    for (let c = 0; c < 0x3000; c++) {
      const ch = String.fromCharCode(c);
      expect(isSafeRequestId(`a${ch}b`), `char ${c}`).toBe(SAFE.test(`a${ch}b`));
      expect(isSafeRequestId(ch), `char ${c}`).toBe(SAFE.test(ch));
    }
  });

  it('accepts AWS and UUID shapes, up to 128 characters', () => {
    expect(isSafeRequestId('c6af9ac6-7b61-11e6-9a41-93e8deadbeef')).toBe(true);
    expect(isSafeRequestId('JqgnQhXxIAMEV_A=')).toBe(true);
    expect(isSafeRequestId('Root=1-5759e988-bd862e3fe1be46a994272793')).toBe(true);
    expect(isSafeRequestId('a'.repeat(128))).toBe(true);
  });

  it('refuses empty, too long, injected and non-string ids', () => {
    expect(isSafeRequestId('')).toBe(false);
    expect(isSafeRequestId(undefined)).toBe(false);
    expect(isSafeRequestId('a'.repeat(129))).toBe(false);
    expect(isSafeRequestId('id\r\nx-admin: 1')).toBe(false);
    expect(isSafeRequestId('<script>')).toBe(false);
    expect(isSafeRequestId('id with space')).toBe(false);
    expect(isSafeRequestId('ïd')).toBe(false);
    expect(isSafeRequestId(123 as unknown as string)).toBe(false);
  });
});

describe('header name and value checks', () => {
  it('refuses names that are not lower-case tokens, and __proto__', () => {
    expect(isHeaderName('x-request-id')).toBe(true);
    expect(isHeaderName('X-Request-Id')).toBe(false);
    expect(isHeaderName('bad name')).toBe(false);
    expect(isHeaderName('__proto__')).toBe(false);
  });

  it('refuses values with CR, LF or NUL', () => {
    expect(isHeaderValue('ok; a=b')).toBe(true);
    expect(isHeaderValue('a\r\nb')).toBe(false);
    expect(isHeaderValue('a\nb')).toBe(false);
    expect(isHeaderValue('a\0b')).toBe(false);
  });
});
