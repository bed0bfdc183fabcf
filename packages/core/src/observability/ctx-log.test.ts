import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { trustApiGatewayJwt } from '../auth/api-gateway.js';
import { createLogger } from './logger.js';

describe('ctx.log', () => {
  it('is the app logger with the request keys, the principal and the tenant on every line', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = createApp({
      service: 'orders',
      logger: createLogger({
        service: 'orders',
        write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
      }),
      access: createAccessControl({ authenticators: [trustApiGatewayJwt()], audit: () => {} }),
    });
    app.get('/orders/:id', { auth: {} }, (ctx) => {
      ctx.log.info('loading order', { orderId: ctx.params.id, password: 'never' });
      return 'ok';
    });
    await app.request({
      path: '/orders/o-1',
      requestId: 'req-5',
      authorizer: { jwt: { claims: { sub: 'u1', 'custom:tenant_id': 't1' }, scopes: null } },
    });
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'loading order',
        request_id: 'req-5',
        route: '/orders/:id',
        method: 'GET',
        tenant_id: 't1',
        user_id: 'u1',
        orderId: 'o-1',
        password: '***',
      }),
    ]);
  });

  it('says plainly when the app has no logger', async () => {
    const errors: unknown[] = [];
    const app = createApp({ service: 'x', onError: (e) => errors.push(e) });
    app.get('/', (ctx) => {
      ctx.log.info('x');
      return 'ok';
    });
    expect((await app.request('/')).status).toBe(500);
    expect(String(errors[0])).toContain('ctx.log needs a logger');
  });
});
