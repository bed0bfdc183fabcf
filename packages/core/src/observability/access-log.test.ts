import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { trustApiGatewayJwt } from '../auth/api-gateway.js';
import { useProductionObservability } from '../test-support/environment.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { ACCESS_LINE, type AccessLineWriter, hasAccessLineWriter } from './access-line.js';
import { createLogger, type Logger, type LoggerOptions } from './logger.js';

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

describe('the access line writer', () => {
  type Args = Parameters<AccessLineWriter>;
  // What writeAccessLine hands any other logger.
  const viaInfo = (logger: Logger, args: Args) => {
    const [notes, requestId, correlationId, tenantId, userId, route, method, status, durationMs] = args;
    const fields = {
      ...notes,
      request_id: requestId,
      correlation_id: correlationId,
      tenant_id: tenantId,
      user_id: userId,
      route,
      method,
      status,
      duration_ms: durationMs,
    };
    if (status >= 500) logger.error('request', fields);
    else logger.info('request', fields);
  };

  it('writes the line info/error would write, byte for byte, masking and buffering included', () => {
    const configs: LoggerOptions[] = [
      {},
      { mask: false },
      { mask: { keys: ['route', 'status', 'correlationId', 'user-id'] } },
      { level: 'WARN' },
      { level: 'WARN', bufferBelowLevel: false },
    ];
    const argsList: Args[] = [
      [undefined, 'req-1', undefined, 't1', 'u1', '/orders/:id', 'GET', 200, 3],
      [undefined, 'req-2', 'a.person@example.com', '', undefined, '/q"uote\u2028', 'OTHER', 404, 1.5],
      [
        {
          1: 'one',
          rate_limit: 'ip',
          route: 'spoofed',
          level: 'x',
          service: 's',
          token: 'eyJhbGciOi.eyJzdWIiOi.c2ln',
        },
        'req-3',
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
        7,
        { id: 'u', password: 'p' },
        '/orders/:id',
        'DELETE',
        503,
        Number.NaN,
      ],
      [{}, 'req-4', '4111 1111 1111 1111', null, () => 1, '', 'GET', 500, -0],
      [undefined, 'req-5', undefined, undefined, undefined, '/orders/:id', 'GET', 200, 1e21],
    ];
    for (const config of configs) {
      const fast: string[] = [];
      const slow: string[] = [];
      const a = createLogger({ service: 'orders', now: () => 0, write: (l) => fast.push(l), ...config });
      const b = createLogger({ service: 'orders', now: () => 0, write: (l) => slow.push(l), ...config });
      const lambda = fakeLambdaContext({ awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42' });
      for (const logger of [a, b]) logger.addContext(lambda, { traceId: 'abc', xrayTraceId: '1-x' });
      expect(hasAccessLineWriter(a)).toBe(true);
      // Twice each, so values kept from the first line are written again.
      for (const args of [...argsList, ...argsList]) {
        if (hasAccessLineWriter(a)) a[ACCESS_LINE](...args);
        viaInfo(b, args);
      }
      expect(fast).toEqual(slow);
      expect(fast.length).toBeGreaterThan(0);
    }
    expect(hasAccessLineWriter(createLogger().child({ a: 1 }))).toBe(false);
  });
});
