/** The canonical form, pinned: other-language signers are written against docs/signing.md and this vector. */
import { describe, expect, it } from 'vitest';
import { canonicalPath, canonicalQuery, canonicalRequest, signCanonical } from './canonical.js';
import { signedFetch, signRequest } from './signer.js';

const vector = {
  keyId: 'orders-service',
  method: 'POST',
  path: '/v1/files/a%2Fb/caf%C3%A9',
  query: [
    ['to', 'b'],
    ['amount', '4 2'],
    ['to', 'a'],
  ] as [string, string][],
  headers: { 'x-tenant-id': ' t-1 ', 'content-type': 'application/json' },
  timestamp: 1767225600,
  nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
  body: new TextEncoder().encode('{"amount":42}'),
};

describe('canonical form', () => {
  it('matches the documented test vector line for line', () => {
    const canonical = canonicalRequest(vector);
    expect(canonical.split('\n')).toEqual([
      'LIFT-HMAC-SHA256',
      'orders-service',
      'POST',
      '/v1/files/a%2Fb/caf%C3%A9',
      'amount=4%202&to=b&to=a',
      'content-type;x-tenant-id',
      'content-type:application/json',
      'x-tenant-id:t-1',
      '1767225600',
      'AAAAAAAAAAAAAAAAAAAAAA',
      'f26e267ee03331ff5ce10b687a1ba1a9b49012ffb27694c922e17411b4b86e6c',
    ]);
    expect(signCanonical('a-development-secret-of-32-characters!', canonical)).toBe(
      'HseoEjad-5lRA2K75SORuvZN2uZnpPzc3ehkNUrBSLc',
    );
  });

  it('paths: one spelling per path, %2F never a separator, malformed encoding refused', () => {
    expect(canonicalPath('/a/%7e%41~(x)')).toBe('/a/~A~%28x%29');
    expect(canonicalPath('/files/a%2fb')).toBe('/files/a%2Fb');
    expect(canonicalPath('/files/a/b')).toBe('/files/a/b');
    expect(canonicalPath('/100%25')).toBe('/100%25');
    for (const bad of ['/%zz', '/%', '/%E0%A4%A', '/%FF', '/\ud800', 'relative'])
      expect(() => canonicalPath(bad), bad).toThrow(TypeError);
  });

  it('queries: sorted by key only, a key’s values in arrival order', () => {
    expect(
      canonicalQuery([
        ['to', 'b'],
        ['a', '1'],
        ['to', 'a'],
      ]),
    ).toBe('a=1&to=b&to=a');
    expect(canonicalQuery([['k&=', "v'*"]])).toBe('k%26%3D=v%27%2A');
  });

  it('refuses what has no unambiguous canonical form', () => {
    const bad = [
      { keyId: '__proto__ ' },
      { method: 'GET\nX' },
      { headers: { 'content-type': 'a\nx-tenant-id:t-2' } },
      { headers: { 'Content-Type': 'a' } },
      { headers: { 'a;b': 'c' } },
      { timestamp: 1.5 },
      { nonce: 'short' },
    ];
    for (const change of bad) expect(() => canonicalRequest({ ...vector, ...change })).toThrow(TypeError);
  });
});

describe('signer', () => {
  const base = { keyId: 'orders-service', secret: 'a-development-secret-of-32-characters!' };

  it('signs content-type, x-tenant-id and idempotency-key by default, when present', () => {
    const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': 'k', accept: '*/*' };
    const signed = signRequest({ ...base, method: 'POST', url: 'https://x.example/a', headers });
    expect(signed['x-lift-signed-headers']).toBe('content-type;idempotency-key');
    const none = signRequest({ ...base, method: 'GET', url: 'https://x.example/a' });
    expect(none['x-lift-signed-headers']).toBe('');
  });

  it('refuses bad key ids, header names and values as configuration errors', () => {
    const request = { ...base, method: 'GET', url: 'https://x.example/a' };
    expect(() => signRequest({ ...request, keyId: 'a b' })).toThrow(/invalid key id/);
    expect(() => signRequest({ ...request, secret: '' })).toThrow(/secret/);
    expect(() => signRequest({ ...request, headers: { a: '1' }, signHeaders: ['a;b'] })).toThrow(
      /header name/,
    );
    expect(() => signRequest({ ...request, headers: { a: '1\r\nb: 2' }, signHeaders: ['a'] })).toThrow(
      /CR, LF/,
    );
    expect(() => signRequest({ ...request, signHeaders: ['x-tenant-id'] })).toThrow(/not set/);
    expect(() => signRequest({ ...request, url: 'https://x.example/%zz' })).toThrow(/percent-encoding/);
  });

  it('signedFetch sets and signs the content-type fetch would add to a string body', async () => {
    let sent: Record<string, string> = {};
    const send = signedFetch({
      ...base,
      fetch: async (_url, init) => {
        sent = init?.headers as Record<string, string>;
        return new Response(null, { status: 204 });
      },
    });
    await send('https://x.example/notes', { method: 'POST', body: 'hello' });
    expect(sent['content-type']).toBe('text/plain;charset=UTF-8');
    expect(sent['x-lift-signed-headers']).toBe('content-type');
  });
});
