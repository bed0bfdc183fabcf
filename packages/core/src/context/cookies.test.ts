import { describe, expect, it } from 'vitest';
import { parseCookieHeader, serializeCookie } from './cookies.js';

describe('serializeCookie', () => {
  it('uses safe defaults', () => {
    expect(serializeCookie('sid', 'abc')).toBe('sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('writes every attribute', () => {
    const expires = new Date('2030-01-02T03:04:05Z');
    expect(
      serializeCookie('pref', 'a b', {
        domain: 'example.com',
        path: '/app',
        maxAge: 3600.7,
        expires,
        httpOnly: false,
        sameSite: 'Strict',
        partitioned: true,
        priority: 'High',
      }),
    ).toBe(
      'pref=a%20b; Domain=example.com; Path=/app; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure; SameSite=Strict; Partitioned; Priority=High',
    );
  });

  it('refuses unsafe combinations and names', () => {
    expect(() => serializeCookie('a b', 'x')).toThrow(/Invalid cookie name/);
    expect(() => serializeCookie('a', 'x', { sameSite: 'None', secure: false })).toThrow(/SameSite=None/);
    expect(() => serializeCookie('__Host-s', 'x', { domain: 'example.com' })).toThrow(/__Host-/);
    expect(() => serializeCookie('__Secure-s', 'x', { secure: false })).toThrow(/__Secure-/);
    expect(() => serializeCookie('a', 'x', { maxAge: Number.POSITIVE_INFINITY })).toThrow(/maxAge/);
    expect(() => serializeCookie('a', 'x', { expires: new Date('nope') })).toThrow(/expires/);
    expect(() => serializeCookie('a', 'x', { domain: 'example.com\nx' })).toThrow(/forbidden character/);
  });
});

describe('parseCookieHeader', () => {
  it('parses, trims, unquotes and decodes; the first of a repeated name wins', () => {
    expect(parseCookieHeader('a=1; b="two"; c=x%20y; a=3; bad; d=%E0%A4%A; =empty')).toEqual({
      a: '1',
      b: 'two',
      c: 'x y',
      d: '%E0%A4%A',
    });
    expect(parseCookieHeader(undefined)).toEqual({});
  });

  it('keeps __proto__ an ordinary key', () => {
    const cookies = parseCookieHeader('__proto__=x; constructor=y');
    expect(Object.getOwnPropertyDescriptor(cookies, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
  });
});
