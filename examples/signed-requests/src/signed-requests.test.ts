/** The signed-requests example through a real `lift dev` server (nonces in its embedded DynamoDB). */
import { fileURLToPath } from 'node:url';
import { type DevServer, startDevServer } from '@lift/cli';
import { signRequest } from '@lift/core/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingClient } from './client.js';

const SECRET = 'dev-only-orders-service-secret-32chars';
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({
    entry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
    port: 0,
    watch: false,
    log: () => {},
  });
}, 60_000);
afterAll(() => server?.close());

describe('signed-requests example', () => {
  it('accepts a signed call from the orders service', async () => {
    const res = await billingClient(server.url, SECRET).charge('o-1', 4200);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ charged: 4200, orderId: 'o-1', by: 'orders-service' });
  });

  it('refuses a replay of a captured request, and a request signed with the wrong secret', async () => {
    let captured: { url: string; init: RequestInit } | undefined;
    const original = globalThis.fetch;
    globalThis.fetch = async (url, init) => {
      captured = { url: String(url), init: init ?? {} };
      return original(url, init);
    };
    try {
      // Created while the recording fetch is in place (signedFetch binds fetch when created).
      expect((await billingClient(server.url, SECRET).charge('o-2', 100)).status).toBe(201);
    } finally {
      globalThis.fetch = original;
    }
    const replay = await fetch(captured?.url as string, captured?.init);
    expect(replay.status).toBe(401);
    expect(
      (await billingClient(server.url, 'not-the-right-secret-but-32-characters').charge('o-3', 1)).status,
    ).toBe(401);
  });

  it('refuses an x-tenant-id added after signing, and a crafted key id', async () => {
    const url = `${server.url}/charges`;
    const body = JSON.stringify({ orderId: 'o-4', amountCents: 1 });
    const headers = { 'content-type': 'application/json' };
    const sign = (keyId: string) =>
      signRequest({ keyId, secret: SECRET, method: 'POST', url, headers, body });
    const signature = sign('orders-service');
    const post = (extra: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { ...headers, ...extra }, body });
    expect((await post({ ...signature, 'x-tenant-id': 'another-tenant' })).status).toBe(401);
    // Refused before its nonce was claimed, so the untouched request still goes through once.
    expect((await post(signature)).status).toBe(201);
    expect((await post(sign('__proto__'))).status).toBe(401);
  });

  it('refuses unsigned calls', async () => {
    const res = await fetch(`${server.url}/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"orderId":"o","amountCents":1}',
    });
    expect(res.status).toBe(401);
  });
});
