import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from './access-control.js';
import { apiKeyAuthenticator, issueApiKey, memoryApiKeyStore } from './api-keys.js';

let clock = Date.parse('2026-11-23T10:00:00Z');
const store = memoryApiKeyStore();
const app = createApp({
  service: 'keys',
  access: createAccessControl({
    authenticators: [apiKeyAuthenticator({ store, now: () => clock })],
    audit: () => {},
  }),
});
app.get('/tenants/:tenantId/orders', { auth: { scopes: ['orders:read'] } }, (ctx) => ({
  by: ctx.principal?.userId,
  tenant: ctx.principal?.tenantId,
}));

const issue = (overrides: Partial<Parameters<typeof issueApiKey>[1]> = {}) =>
  issueApiKey(store, {
    name: 'partner-a',
    tenantId: 't1',
    scopes: ['orders:read'],
    now: () => clock,
    ...overrides,
  });

describe('API keys', () => {
  it('authenticates x-api-key and Authorization: ApiKey', async () => {
    const { key } = await issue();
    expect((await app.request('/tenants/t1/orders', { headers: { 'x-api-key': key } })).json()).toEqual({
      by: 'partner-a',
      tenant: 't1',
    });
    expect(
      (await app.request('/tenants/t1/orders', { headers: { authorization: `ApiKey ${key}` } })).status,
    ).toBe(200);
  });

  it('API key of another tenant is refused', async () => {
    const { key } = await issue({ tenantId: 't1' });
    expect((await app.request('/tenants/t2/orders', { headers: { 'x-api-key': key } })).status).toBe(403);
  });

  it('expired API key is refused', async () => {
    const { key } = await issue({ expiresAt: Math.floor(clock / 1000) + 60 });
    expect((await app.request('/tenants/t1/orders', { headers: { 'x-api-key': key } })).status).toBe(200);
    clock += 120_000;
    expect((await app.request('/tenants/t1/orders', { headers: { 'x-api-key': key } })).status).toBe(401);
  });

  it('revoked API key is refused', async () => {
    const { key, record } = await issue();
    await store.revoke(record.id);
    const res = await app.request('/tenants/t1/orders', { headers: { 'x-api-key': key } });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: { message: 'Invalid API key' } });
  });

  it('a forged secret for a real key id is refused', async () => {
    const { key } = await issue();
    const forged = `${key.slice(0, key.lastIndexOf('_') + 1)}${'A'.repeat(43)}`;
    expect((await app.request('/tenants/t1/orders', { headers: { 'x-api-key': forged } })).status).toBe(401);
  });

  it('malformed and unknown keys are refused, missing scopes are forbidden', async () => {
    expect((await app.request('/tenants/t1/orders', { headers: { 'x-api-key': 'not-a-key' } })).status).toBe(
      401,
    );
    expect(
      (
        await app.request('/tenants/t1/orders', {
          headers: { 'x-api-key': `lift_${'0'.repeat(16)}_${'A'.repeat(43)}` },
        })
      ).status,
    ).toBe(401);
    const { key } = await issue({ scopes: [] });
    expect((await app.request('/tenants/t1/orders', { headers: { 'x-api-key': key } })).status).toBe(403);
  });
});
