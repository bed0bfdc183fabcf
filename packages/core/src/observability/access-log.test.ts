import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { trustApiGatewayJwt } from '../auth/api-gateway.js';
import { useProductionObservability } from '../test-support/environment.js';
import { createLogger } from './logger.js';

useProductionObservability();

describe('access log', () => {
  const lines: Record<string, unknown>[] = [];
  let clock = 1000;
  const logger = createLogger({
    service: 'orders',
    level: 'INFO',
    write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
    now: () => clock,
  });
  const app = createApp({
    service: 'orders',
    onError: () => {},
    access: createAccessControl({ authenticators: [trustApiGatewayJwt()], audit: () => {} }),
    logger,
    metrics: false,
    now: () => clock,
  });
  app.get('/orders/:id', { auth: {} }, () => {
    clock += 7;
    return { ok: true };
  });
  app.get('/boom', { auth: 'public' }, () => {
    throw new Error('x');
  });

  it('writes one line per request with the route pattern, principal and duration', async () => {
    lines.length = 0;
    await app.request({
      path: '/orders/o-123',
      requestId: 'req-9',
      authorizer: { jwt: { claims: { sub: 'u1', 'custom:tenant_id': 't1' }, scopes: null } },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'request',
      request_id: 'req-9',
      tenant_id: 't1',
      user_id: 'u1',
      route: '/orders/:id',
      method: 'GET',
      status: 200,
      duration_ms: 7,
      function_name: 'lift-test',
    });
    expect(JSON.stringify(lines[0])).not.toContain('o-123');
  });

  it('covers 401, 404, 405 and 500 too, errors at ERROR level', async () => {
    lines.length = 0;
    await app.request('/orders/o-1');
    await app.request('/nowhere/123');
    await app.request('/orders/o-1', { method: 'DELETE' });
    await app.request('/boom');
    expect(lines.map((l) => [l.status, l.route, l.level])).toEqual([
      [401, '/orders/:id', 'INFO'],
      [404, 'unmatched', 'INFO'],
      [405, 'unmatched', 'INFO'],
      [500, '/boom', 'ERROR'],
    ]);
  });
});
