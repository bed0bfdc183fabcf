/** Regression tests for attacks on request signing, each through `app.request` with real-shaped events. */
import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { useSecurityTable } from '../test-support/security-table.js';
import type { TestSource } from '../testing/request.js';
import { canonicalRequest, SIGNATURE_HEADERS, signCanonical } from './canonical.js';
import { dynamoNonceStore, memoryNonceStore, type NonceStore } from './nonces.js';
import { signRequest } from './signer.js';
import { type SignatureAuthenticatorOptions, type SigningKey, signatureAuthenticator } from './verifier.js';

const SECRET = 'billing-service-secret-of-32-characters';
const clock = Date.now();
const ALL: TestSource[] = ['apigw-http', 'apigw-rest', 'function-url', 'alb', 'alb-multi'];
// The sources that keep the path percent-encoded; an HTTP API decodes it before Lift sees it.
const ENCODED: TestSource[] = ['apigw-rest', 'function-url', 'alb', 'alb-multi'];
// The sources that pass every value of a repeated query key (ALB single-value mode keeps the last).
const MULTI_QUERY: TestSource[] = ['apigw-http', 'apigw-rest', 'function-url', 'alb-multi'];

const BILLING: SigningKey = {
  secrets: [SECRET],
  name: 'billing-service',
  tenantId: 't-1',
  roles: ['integration_admin'],
};
// A plain object, looked up as most configurations do: `KEYS['__proto__']` is Object.prototype.
const KEYS: Record<string, SigningKey> = { billing: BILLING };

function appWith(options: Partial<SignatureAuthenticatorOptions> = {}, onError?: (error: unknown) => void) {
  const app = createApp({
    service: 'signed',
    ...(onError === undefined ? {} : { onError }),
    access: createAccessControl({
      audit: () => {},
      authenticators: [
        signatureAuthenticator({
          now: () => clock,
          nonces: memoryNonceStore({ now: () => clock }),
          keys: (id) => KEYS[id],
          ...options,
        }),
      ],
    }),
  });
  const auth = { auth: { roles: ['integration_admin'] } };
  app.get('/files/:name', auth, (ctx) => ({ name: ctx.params.name }));
  app.get('/files/:dir/:name', auth, (ctx) => ({ dir: ctx.params.dir, name: ctx.params.name }));
  app.post('/transfers', auth, (ctx) => ({ to: ctx.queryAll('to') }));
  return app;
}

interface Signed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function signed(
  method: string,
  path: string,
  options: { keyId?: string; secret?: string; headers?: Record<string, string>; at?: number } = {},
): Signed {
  const headers = options.headers ?? (method === 'GET' ? {} : { 'content-type': 'application/json' });
  const body = method === 'GET' ? undefined : '{}';
  const signature = signRequest({
    keyId: options.keyId ?? 'billing',
    secret: options.secret ?? SECRET,
    method,
    url: `https://api.example.com${path}`,
    headers,
    ...(body === undefined ? {} : { body }),
    now: () => options.at ?? clock,
  });
  return { method, path, headers: { ...headers, ...signature }, ...(body === undefined ? {} : { body }) };
}

describe('encoded-slash path confusion', () => {
  const app = appWith();

  it('encoded-slash path confusion: a signature for /files/a%2Fb does not verify /files/a/b', async () => {
    for (const source of ENCODED) {
      const res = await app.request({ ...signed('GET', '/files/a%2Fb'), source });
      expect(res.status, source).toBe(200);
      expect(res.json(), source).toEqual({ name: 'a/b' });
      expect(
        (await app.request({ ...signed('GET', '/files/a%2Fb'), path: '/files/a/b', source })).status,
      ).toBe(401);
    }
    // The HTTP API has turned %2F into / before Lift sees it: what was delivered is not what was signed.
    const http = await app.request({ ...signed('GET', '/files/a%2Fb'), source: 'apigw-http' });
    expect(http.status).toBe(401);
  });

  it('encoded-slash path confusion: a signature for /files/a/b does not verify /files/a%2Fb', async () => {
    for (const source of ENCODED) {
      const request = { ...signed('GET', '/files/a/b'), path: '/files/a%2Fb', source };
      expect((await app.request(request)).status, source).toBe(401);
    }
  });

  it('a signed path verifies through every source, escapes and sub-delimiters included', async () => {
    for (const source of ALL) {
      const res = await app.request({ ...signed('GET', "/files/it's%20caf%C3%A9~(1)"), source });
      expect(res.status, source).toBe(200);
      expect(res.json(), source).toEqual({ name: "it's café~(1)" });
      const nested = await app.request({ ...signed('GET', '/files/a/b'), source });
      expect(nested.json(), source).toEqual({ dir: 'a', name: 'b' });
    }
    // On its execute-api domain an HTTP API keeps a named stage in the path: the client sent it, so it is signed.
    const staged = { ...signed('GET', '/prod/files/x'), path: '/files/x', stage: 'prod' };
    expect((await app.request(staged)).json()).toEqual({ name: 'x' });
  });

  it('double decoding: a literal % in a decoded HTTP API path is never decoded again', async () => {
    for (const source of ALL) {
      const res = await app.request({ ...signed('GET', '/files/100%25'), source });
      expect(res.status, source).toBe(200);
      expect(res.json(), source).toEqual({ name: '100%' });
      // An HTTP API delivers %2541 as %41; decoding that again would make it A.
      expect((await app.request({ ...signed('GET', '/files/A'), path: '/files/%2541', source })).status).toBe(
        401,
      );
      expect((await app.request({ ...signed('GET', '/files/%2541'), source })).json()).toEqual({
        name: '%41',
      });
    }
  });

  it('malformed percent-encoding or an unencodable path is a 400 or 401, never a 500', async () => {
    for (const source of ALL) {
      for (const path of ['/files/%zz', '/files/%E0%A4%A', '/files/%FF', '/files/\ud800']) {
        const status = (await app.request({ ...signed('GET', '/files/x'), path, source })).status;
        expect([400, 401], `${source} ${path}`).toContain(status);
      }
    }
  });
});

describe('repeated query reordering', () => {
  const app = appWith();

  it('repeated query reordering: a signature for ?to=a&to=b does not verify ?to=b&to=a', async () => {
    for (const source of MULTI_QUERY) {
      const res = await app.request({ ...signed('POST', '/transfers?to=a&to=b'), source });
      expect(res.status, source).toBe(200);
      expect(res.json(), source).toEqual({ to: ['a', 'b'] });
      const swapped = { ...signed('POST', '/transfers?to=a&to=b'), path: '/transfers?to=b&to=a', source };
      expect((await app.request(swapped)).status, source).toBe(401);
    }
  });

  it('the order of different keys is not signed (the app cannot see it either)', async () => {
    for (const source of MULTI_QUERY) {
      const request = {
        ...signed('POST', '/transfers?to=a&x=1&to=b'),
        path: '/transfers?x=1&to=a&to=b',
        source,
      };
      expect((await app.request(request)).status, source).toBe(200);
    }
  });
});

describe('key ids', () => {
  it('key-id alias replay: a request signed as billing is refused when replayed as BILLING', async () => {
    const claims: string[] = [];
    const memory = memoryNonceStore({ now: () => clock });
    const nonces: NonceStore = {
      claim(scope, nonce, expiresAt) {
        claims.push(scope);
        return memory.claim(scope, nonce, expiresAt);
      },
    };
    // A case-insensitive resolver: two ids, one key.
    const app = appWith({ nonces, keys: (id) => KEYS[id.toLowerCase()] });
    const request = signed('GET', '/files/x');
    expect((await app.request(request)).status).toBe(200);
    const alias = { ...request, headers: { ...request.headers, [SIGNATURE_HEADERS.keyId]: 'BILLING' } };
    expect((await app.request(alias)).status).toBe(401);
    expect((await app.request(signed('GET', '/files/x', { keyId: 'BILLING' }))).status).toBe(200);
    expect(claims).toEqual(['billing-service', 'billing-service']);
  });

  it('key-id alias replay: a nonce used under one id of a key is refused under another', async () => {
    const app = appWith({ keys: (id) => KEYS[id.toLowerCase()] });
    const first = signed('GET', '/files/x');
    expect((await app.request(first)).status).toBe(200);
    // Even a request properly signed under the alias cannot reuse the nonce: nonces are per key.
    const underAlias = (nonce: string) => {
      const canonical = canonicalRequest({
        keyId: 'BILLING',
        method: 'GET',
        path: '/files/x',
        query: [],
        headers: {},
        timestamp: Math.floor(clock / 1000),
        nonce,
        body: new Uint8Array(),
      });
      const headers = {
        ...first.headers,
        [SIGNATURE_HEADERS.keyId]: 'BILLING',
        [SIGNATURE_HEADERS.nonce]: nonce,
        [SIGNATURE_HEADERS.signature]: signCanonical(SECRET, canonical),
      };
      return { ...first, headers };
    };
    expect((await app.request(underAlias(first.headers[SIGNATURE_HEADERS.nonce] as string))).status).toBe(
      401,
    );
    expect((await app.request(underAlias('a-fresh-nonce-of-22-chr'))).status).toBe(200);
  });

  it('crafted key id __proto__ is a 401, not a 500', async () => {
    const app = appWith();
    for (const id of [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '__defineGetter__',
    ]) {
      for (const source of ['apigw-http', 'apigw-rest'] as TestSource[]) {
        const res = await app.request({ ...signed('GET', '/files/x', { keyId: id }), source });
        expect(res.status, `${id} ${source}`).toBe(401);
      }
    }
  });

  it('a malformed key id is refused before the resolver is asked', async () => {
    const asked: string[] = [];
    const app = appWith({
      keys(id) {
        asked.push(id);
        return KEYS[id];
      },
    });
    const request = signed('GET', '/files/x');
    for (const id of ['', 'a b', '../billing', 'billing\u0000', 'x'.repeat(129), 'bïlling']) {
      const headers = { ...request.headers, [SIGNATURE_HEADERS.keyId]: id };
      expect((await app.request({ ...request, headers })).status, JSON.stringify(id)).toBe(401);
    }
    expect(asked).toEqual([]);
  });

  it('a resolver answer that is not a signing key is a 401, not a 500', async () => {
    const answers: unknown[] = [
      { secrets: SECRET, name: 'n' },
      { secrets: [], name: 'n' },
      { secrets: [SECRET, 42], name: 'n' },
      { secrets: [SECRET] },
      { secrets: [SECRET], name: '' },
      { secrets: [SECRET], name: 'n', roles: 'integration_admin' },
      { secrets: [SECRET], name: 'n', tenantId: 7 },
      // An empty tenant would match a request naming the empty tenant (`?tenantId=`).
      { secrets: [SECRET], name: 'n', tenantId: '' },
      { secrets: [SECRET], name: 'n', roles: [''] },
      Object.create({ secrets: [SECRET], name: 'n' }),
      [SECRET],
      SECRET,
      () => BILLING,
    ];
    for (const answer of answers) {
      const app = appWith({ keys: () => answer as SigningKey });
      expect((await app.request(signed('GET', '/files/x'))).status, String(answer)).toBe(401);
    }
  });

  it('a resolver that throws is a 500: the key store failed, not the caller', async () => {
    const reported: unknown[] = [];
    const failing = () => {
      throw new Error('Secrets Manager unavailable');
    };
    const app = appWith({ keys: failing }, (error) => reported.push(error));
    expect((await app.request(signed('GET', '/files/x'))).status).toBe(500);
    expect(reported).toEqual([new Error('Secrets Manager unavailable')]);
  });
});

describe('method case', () => {
  it('method-case replay: a signed POST replayed as "post" (another route: app.all) is refused', async () => {
    const app = appWith();
    app.all('/any', { auth: { roles: ['integration_admin'] } }, (ctx) => ({ method: ctx.method }));
    expect((await app.request(signed('POST', '/any'))).json()).toEqual({ method: 'POST' });
    expect((await app.request({ ...signed('POST', '/any'), method: 'post' })).status).toBe(401);
  });

  it('signRequest upper-cases the methods fetch upper-cases, and signs others as written', () => {
    const base = { keyId: 'billing', secret: SECRET, url: 'https://x.test/a', now: () => clock };
    expect(() => signRequest({ ...base, method: 'post' })).not.toThrow();
    expect(() => signRequest({ ...base, method: 'PATCH' })).not.toThrow();
  });
});

describe('options', () => {
  it('a misspelt verifier option is refused at start-up, not left unsigned', () => {
    const base = { keys: () => undefined, nonces: memoryNonceStore() };
    expect(() => signatureAuthenticator({ ...base, signedHeaders: ['x-tenant-id'] } as never)).toThrow(
      /signatureAuthenticator: unknown option "signedHeaders"/,
    );
    expect(() => signatureAuthenticator({ ...base, signHeaders: 'x-tenant-id' } as never)).toThrow(
      /"signHeaders" must list header names/,
    );
    expect(() => memoryNonceStore({ clock: Date.now } as never)).toThrow(/memoryNonceStore: unknown option/);
    expect(() =>
      signRequest({
        keyId: 'k',
        secret: SECRET,
        method: 'GET',
        url: 'https://x.test/',
        signHeader: [],
      } as never),
    ).toThrow(/signRequest: unknown option "signHeader"/);
  });
});

describe('signed headers', () => {
  const app = appWith();

  it('signed-header splitting through a ; in a value cannot forge another signed header', async () => {
    for (const source of ['apigw-http', 'apigw-rest', 'alb'] as TestSource[]) {
      // Signed as one header whose value looks like two under the old `name:value;name:value` joining.
      const request = signed('POST', '/transfers', {
        headers: { 'content-type': 'application/json;idempotency-key:k-2' },
      });
      const forged = {
        ...request,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'idempotency-key': 'k-2',
          [SIGNATURE_HEADERS.signedHeaders]: 'content-type;idempotency-key',
        },
        source,
      };
      expect((await app.request(forged)).status, source).toBe(401);
    }
  });

  it('a line break in a signed header value is a 401, not a 500', async () => {
    const request = signed('POST', '/transfers');
    for (const value of ['application/json\nx-tenant-id:t-2', 'application/json\r\n']) {
      const headers = { ...request.headers, 'content-type': value };
      expect((await app.request({ ...request, headers })).status).toBe(401);
    }
  });

  it('unsigned x-tenant-id added to a signed request is refused', async () => {
    for (const source of ALL) {
      const request = signed('POST', '/transfers');
      const headers = { ...request.headers, 'x-tenant-id': 't-2' };
      expect((await app.request({ ...request, headers, source })).status, source).toBe(401);
    }
  });

  it('x-tenant-id and idempotency-key are signed by default, so changing them is refused', async () => {
    const sent = { 'content-type': 'application/json', 'x-tenant-id': 't-1', 'idempotency-key': 'k-1' };
    const request = signed('POST', '/transfers', { headers: sent });
    expect(request.headers[SIGNATURE_HEADERS.signedHeaders]).toBe('content-type;idempotency-key;x-tenant-id');
    for (const [name, value] of [
      ['x-tenant-id', 't-2'],
      ['idempotency-key', 'k-2'],
    ] as const) {
      const changed = { ...request, headers: { ...request.headers, [name]: value } };
      expect((await app.request(changed)).status, name).toBe(401);
    }
    expect((await app.request(request)).status).toBe(200);
    const unsigned = signed('POST', '/transfers');
    const added = { ...unsigned, headers: { ...unsigned.headers, 'idempotency-key': 'k-9' } };
    expect((await app.request(added)).status).toBe(401);
  });

  it('the verifier’s signHeaders option sets which headers must be signed', async () => {
    const strict = appWith({ signHeaders: ['x-request-tenant'] });
    const sent = { 'x-request-tenant': 't-1' };
    // The signer's default set does not name this header, so it goes unsigned and is refused.
    const unsigned = signed('GET', '/files/x', { headers: sent });
    expect(unsigned.headers[SIGNATURE_HEADERS.signedHeaders]).toBe('');
    expect((await strict.request(unsigned)).status).toBe(401);
    const signature = signRequest({
      keyId: 'billing',
      secret: SECRET,
      method: 'GET',
      url: 'https://api.example.com/files/x',
      headers: sent,
      signHeaders: ['x-request-tenant'],
      now: () => clock,
    });
    const covered = { method: 'GET', path: '/files/x', headers: { ...sent, ...signature } };
    expect((await strict.request(covered)).status).toBe(200);
  });
});

describe('replay at the exact edge of the window', () => {
  const dynamoTable = useSecurityTable(() => clock);
  const at = Math.floor(clock / 1000) * 1000;
  // The verifier's clock exactly `windowSeconds` after the signature: the timestamp is still accepted.
  const edge = at + 300_000;

  for (const kind of ['memory', 'dynamodb'] as const) {
    it(`replay at the exact edge of the window is refused (${kind} nonces)`, async () => {
      const nonces =
        kind === 'memory' ? memoryNonceStore({ now: () => edge }) : dynamoNonceStore(dynamoTable());
      const app = appWith({ now: () => edge, nonces });
      const request = signed('GET', '/files/x', { at });
      expect((await app.request(request)).status).toBe(200);
      expect((await app.request(request)).status).toBe(401);
      const late = appWith({ now: () => edge + 1000, nonces });
      expect((await late.request(signed('GET', '/files/x', { at }))).status).toBe(401);
    });
  }
});
