import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { type AuditEvent, auditLogSink } from '../observability/audit.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import { createAccessControl } from './access-control.js';
import { trustApiGatewayJwt } from './api-gateway.js';

describe('the default audit sink', () => {
  it('writes denials as their own type:"audit" lines, whatever the log level', async () => {
    const app = createApp({
      service: 'orders',
      metrics: false,
      access: createAccessControl({ authenticators: [trustApiGatewayJwt()] }),
    });
    app.get('/admin/:tenantId/report', { auth: { roles: ['client_admin'] } }, () => 'ok');
    const lines = await captureJsonLinesAsync(() =>
      app.request({
        path: '/admin/t1/report',
        requestId: 'req-3',
        authorizer: { jwt: { claims: { sub: 'u1', 'custom:tenant_id': 't1' }, scopes: null } },
      }),
    );
    // POWERTOOLS_LOG_LEVEL is WARN in tests: the access line is filtered, the audit line is not.
    expect(lines.filter((line) => line.message === 'request')).toEqual([]);
    expect(lines.filter((line) => line.type === 'audit')).toEqual([
      expect.objectContaining({
        type: 'audit',
        requestId: 'req-3',
        userId: 'u1',
        tenantId: 't1',
        action: 'GET /admin/:tenantId/report',
        outcome: 'deny',
      }),
    ]);
  });

  it('masks secrets and card numbers that reach a reason', () => {
    const written: string[] = [];
    const event: AuditEvent = {
      type: 'audit',
      time: '2026-11-23T00:00:00.000Z',
      requestId: 'r',
      service: 's',
      userId: 'u1',
      tenantId: 't1',
      authMethod: 'jwt',
      action: 'POST /pay',
      resource: '/pay',
      outcome: 'deny',
      reason: 'card 4111 1111 1111 1111 refused for token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    };
    auditLogSink((line) => written.push(line))(event);
    expect(JSON.parse(written[0] as string)).toMatchObject({ reason: 'card ****1111 refused for token ***' });
    expect(event.reason).toContain('4111 1111');
  });
});
