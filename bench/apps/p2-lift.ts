/** P2 with Lift: its JWT authenticator, access control (role and tenant), a zod body schema. */
import { createApp } from '@lift/core';
import { createAccessControl, jwtAuthenticator } from '@lift/core/auth';
import { cors } from '@lift/core/http';
import { AUDIENCE, ISSUER, ORIGIN, ROLE } from './common.js';
import { acceptedOrder, orderBody, PUBLIC_JWK } from './order.js';

/**
 * The app as a user writes it; `cacheSize: 0` turns the verified-token cache off, so every call is a
 * first sight. Logging and metrics are off, as for every contender (P3 and P4 measure them); the
 * audit line access control writes for each denial stays, as every Lift app has it.
 */
export function createLiftP2(options: { readonly cacheSize?: number } = {}) {
  const app = createApp({
    service: 'bench',
    logger: false,
    metrics: false,
    tracing: false,
    access: createAccessControl({
      authenticators: [
        jwtAuthenticator({
          issuers: [
            {
              issuer: ISSUER,
              audience: AUDIENCE,
              algorithms: ['RS256'],
              jwks: { keys: [PUBLIC_JWK] } as never,
            },
          ],
          ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
        }),
      ],
    }),
  });
  // Security headers and request ids are on in every app; CORS origins are the app's to name.
  app.use(cors({ origins: [ORIGIN] }));
  app.post('/tenants/:tenantId/orders', { auth: { roles: [ROLE] }, body: orderBody }, (ctx) =>
    ctx.json(201, acceptedOrder(ctx.requestId, ctx.params.tenantId, ctx.principal?.userId ?? '', ctx.body)),
  );
  app.compile();
  return app.handler;
}

/** The Lambda entry point. */
export const handler = createLiftP2();
