import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { bodyLimit } from './body-limit.js';

describe('body limits', () => {
  const app = createApp({ service: 'limits', bodyLimit: 64 });
  app.post('/default', (ctx) => ({ size: ctx.rawBody.length }));
  app.post('/small', { middleware: [bodyLimit({ maxBytes: 8 })] }, (ctx) => ({ size: ctx.rawBody.length }));
  app.group('/uploads', (g) => {
    g.use(bodyLimit({ maxBytes: 1024 }));
    g.post('/', (ctx) => ({ size: ctx.rawBody.length }));
  });

  it('applies the app-wide limit to the decoded body: 413 past it', async () => {
    expect(
      (
        await app.request('/default', {
          method: 'POST',
          body: 'x'.repeat(64),
          headers: { 'content-type': 'text/plain' },
        })
      ).json(),
    ).toEqual({ size: 64 });
    const big = await app.request('/default', { method: 'POST', body: 'x'.repeat(65) });
    expect(big.status).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: 64 } } });
  });

  it('counts bytes, not characters', async () => {
    expect((await app.request('/default', { method: 'POST', body: 'é'.repeat(33) })).status).toBe(413);
  });

  it('lets a route or group set its own limit', async () => {
    expect((await app.request('/small', { method: 'POST', body: '123456789' })).status).toBe(413);
    expect((await app.request('/uploads', { method: 'POST', body: 'x'.repeat(1000) })).json()).toEqual({
      size: 1000,
    });
    expect(() => bodyLimit({ maxBytes: -1 })).toThrow(/maxBytes/);
  });
});
