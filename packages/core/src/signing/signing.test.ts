import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { useSecurityTable } from '../test-support/security-table.js';
import type { TestSource } from '../testing/request.js';
import { dynamoNonceStore, memoryNonceStore, type NonceStore } from './nonces.js';
import { signedFetch, signRequest } from './signer.js';
import { signatureAuthenticator } from './verifier.js';

const SECRET = 'billing-service-secret-of-32-characters';
const ROTATED = 'billing-service-next-secret-32-characters';
const clock = Date.now();

function appWith(nonces: NonceStore) {
  const app = createApp({
    service: 'signed',
    access: createAccessControl({
      audit: () => {},
      authenticators: [
        signatureAuthenticator({
          now: () => clock,
          nonces,
          keys: (id) =>
            id === 'billing'
              ? {
                  secrets: [SECRET, ROTATED],
                  name: 'billing-service',
                  accountId: '123456789012',
                  roles: ['integration_admin'],
                }
              : undefined,
        }),
      ],
    }),
  });
  app.post('/orders/:id/charge', { auth: { roles: ['integration_admin'] } }, (ctx) => ({
    by: ctx.principal?.userId,
    id: ctx.params.id,
    body: ctx.body,
  }));
  return app;
}

const body = JSON.stringify({ amount: 42 });
function signed(
  path: string,
  options: { secret?: string; at?: number; payload?: string; method?: string } = {},
) {
  const headers = { 'content-type': 'application/json' };
  const signature = signRequest({
    keyId: 'billing',
    secret: options.secret ?? SECRET,
    method: options.method ?? 'POST',
    url: `https://api.example.com${path}`,
    headers,
    body: options.payload ?? body,
    now: () => options.at ?? clock,
  });
  return { method: options.method ?? 'POST', path, body, headers: { ...headers, ...signature } };
}

describe('request signing', () => {
  const app = appWith(memoryNonceStore({ now: () => clock }));

  it('accepts a signed request through every source, encoded paths and repeated query keys included', async () => {
    for (const source of ['apigw-http', 'apigw-rest', 'function-url', 'alb', 'alb-multi'] as TestSource[]) {
      // An ALB target group in single-value mode passes only the last value of a repeated query key,
      // so a request signed over both cannot verify there; multi-value mode carries them all.
      const query = source === 'alb' ? '?x=2&y=%26' : '?x=2&x=1&y=%26';
      const res = await app.request({ ...signed(`/orders/a%20b/charge${query}`), source });
      expect(res.status, source).toBe(200);
      expect(res.json(), source).toEqual({ by: 'billing-service', id: 'a b', body: { amount: 42 } });
    }
  });

  it('accepts a secret that is being rotated in', async () => {
    expect((await app.request(signed('/orders/1/charge', { secret: ROTATED }))).status).toBe(200);
  });

  it('signature replay is refused', async () => {
    const request = signed('/orders/1/charge');
    expect((await app.request(request)).status).toBe(200);
    expect((await app.request(request)).status).toBe(401);
  });

  it('stale timestamp is refused', async () => {
    expect((await app.request(signed('/orders/1/charge', { at: clock - 6 * 60_000 }))).status).toBe(401);
    expect((await app.request(signed('/orders/1/charge', { at: clock + 6 * 60_000 }))).status).toBe(401);
    expect((await app.request(signed('/orders/1/charge', { at: clock - 4 * 60_000 }))).status).toBe(200);
  });

  it('body tampered after signing is refused', async () => {
    const request = signed('/orders/1/charge');
    expect((await app.request({ ...request, body: JSON.stringify({ amount: 4200 }) })).status).toBe(401);
  });

  it('path, query, method and signed headers tampered after signing are refused', async () => {
    const request = signed('/orders/1/charge?x=1');
    expect((await app.request({ ...request, path: '/orders/2/charge?x=1' })).status).toBe(401);
    expect(
      (await app.request({ ...signed('/orders/1/charge?x=1'), path: '/orders/1/charge?x=2' })).status,
    ).toBe(401);
    const typed = signed('/orders/1/charge');
    expect(
      (await app.request({ ...typed, headers: { ...typed.headers, 'content-type': 'text/plain' } })).status,
    ).toBe(401);
  });

  it('a wrong secret, an unknown key and a missing signature are refused', async () => {
    expect(
      (await app.request(signed('/orders/1/charge', { secret: 'not-the-secret-but-32-characters-long' })))
        .status,
    ).toBe(401);
    const request = signed('/orders/1/charge');
    expect(
      (await app.request({ ...request, headers: { ...request.headers, 'x-lift-key-id': 'payments' } }))
        .status,
    ).toBe(401);
    expect(
      (await app.request({ method: 'POST', path: '/orders/1/charge', json: { amount: 42 } })).status,
    ).toBe(401);
  });

  it('signedFetch produces requests the verifier accepts', async () => {
    let captured: { url: string; init: RequestInit } | undefined;
    const send = signedFetch({
      keyId: 'billing',
      secret: SECRET,
      fetch: async (url, init) => {
        captured = { url: String(url), init: init ?? {} };
        return new Response('{}');
      },
    });
    await send('https://api.example.com/orders/7/charge?via=fetch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const { pathname, search } = new URL(captured?.url as string);
    const res = await app.request({
      method: 'POST',
      path: `${pathname}${search}`,
      body,
      headers: captured?.init.headers as Record<string, string>,
    });
    expect(res.status).toBe(200);
  });
});

describe('concurrent replays', () => {
  const dynamoTable = useSecurityTable(() => clock);

  for (const kind of ['memory', 'dynamodb'] as const) {
    it(`the same signed request sent 20 times at once is accepted exactly once (${kind} nonces)`, async () => {
      const nonces =
        kind === 'memory' ? memoryNonceStore({ now: () => clock }) : dynamoNonceStore(dynamoTable());
      // Two apps sharing one nonce store play two Lambda instances.
      const instances = [appWith(nonces), appWith(nonces)];
      const request = signed('/orders/9/charge');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (instances[i % 2] as ReturnType<typeof appWith>).request(request),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(19);
    });
  }
});
