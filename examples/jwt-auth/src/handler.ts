import { ConfigurationError, createApp } from '@lift/core';
import { createAccessControl, type JwtIssuerOptions, jwtAuthenticator } from '@lift/core/auth';
import * as z from 'zod';

const AUDIENCE = 'jwt-auth-example';

// Under `lift dev`, tokens come from its local issuer (`lift token src/handler.ts --sub ...`), whose
// key set the dev server serves over HTTP. Deployed, the real issuer is configured by environment.
function issuer(): JwtIssuerOptions {
  const dev = process.env.LIFT_DEV === '1' ? process.env.LIFT_DEV_ISSUER : undefined;
  const iss = dev ?? process.env.JWT_ISSUER;
  const jwksUri = dev === undefined ? process.env.JWT_JWKS_URI : process.env.LIFT_DEV_JWKS_URI;
  if (iss === undefined || jwksUri === undefined)
    throw new ConfigurationError('JWT_ISSUER and JWT_JWKS_URI must be set');
  return { issuer: iss, audience: AUDIENCE, algorithms: ['RS256'], jwksUri };
}

// The routes are chained so the exported app's type carries them, for a typed client.
export const app = createApp({
  service: 'jwt-auth',
  access: createAccessControl({
    authenticators: [jwtAuthenticator({ issuers: [issuer()] })],
    permissions: { company_admin: [{ resource: 'reports', action: 'read' }] },
  }),
})
  .get('/health', { auth: 'public' }, () => ({ ok: true }))
  .get('/me', { auth: {} }, (ctx) => {
    const { userId, tenantId, roles, scopes } = ctx.principal ?? {};
    return { userId, tenantId, roles, scopes };
  })
  .get(
    '/tenants/:tenantId/reports',
    { auth: { permissions: [{ resource: 'reports', action: 'read' }] } },
    (ctx) => ({
      tenant: ctx.params.tenantId,
      reports: ['q3-revenue'],
    }),
  )
  .post(
    '/tenants/:tenantId/notes',
    { auth: { scopes: ['notes:write'] }, body: z.strictObject({ text: z.string().min(1).max(500) }) },
    (ctx) => ctx.json(201, { tenant: ctx.params.tenantId, by: ctx.principal?.userId, text: ctx.body.text }),
  );

/** The Lambda entry point. */
export const handler = app.handler;
