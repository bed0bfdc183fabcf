import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../index.js';

describe('smoke', () => {
  it('works end to end', async () => {
    const app = createApp({ service: 'orders' });
    app.use(async (_ctx, next) => {
      await next();
    });
    app.get('/health', () => ({ ok: true }));
    app.post(
      '/tenants/:tenantId/items',
      {
        params: z.object({ tenantId: z.string().min(1) }),
        body: z.object({ name: z.string().min(1), qty: z.number().int().positive() }),
      },
      async (ctx) => ctx.json(201, { tenant: ctx.params.tenantId, ...ctx.body }),
    );
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    const created = await app.request('/tenants/t1/items', { method: 'POST', json: { name: 'a', qty: 2 } });
    expect(created.status).toBe(201);
    expect(created.json()).toEqual({ tenant: 't1', name: 'a', qty: 2 });
    const bad = await app.request('/tenants/t1/items', { method: 'POST', json: { name: '', qty: -1 } });
    expect(bad.status).toBe(422);
    console.log(bad.text());
    const nf = await app.request('/nope');
    expect(nf.status).toBe(404);
    const mna = await app.request('/health', { method: 'DELETE' });
    expect(mna.status).toBe(405);
    expect(mna.headers.get('allow')).toBe('GET, HEAD');
  });
});
