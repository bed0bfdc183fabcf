/** P2 with Hono: the P1 middleware, a jose bearer check as route middleware, zod on the JSON body. */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import type { JWTPayload } from 'jose';
import { ORIGIN } from './common.js';
import { allowed, verifyBearer } from './jose-auth.js';
import { acceptedOrder, orderBody } from './order.js';

type Env = { Variables: { claims: JWTPayload } };

/** Verifies the bearer token and the tenant and role, before the body is read. */
const bearerAuth = createMiddleware<Env>(async (c, next) => {
  const claims = await verifyBearer(c.req.header('authorization'));
  if (claims === undefined) return c.json({ error: { code: 'UNAUTHORIZED', message: 'Unauthorized' } }, 401);
  if (!allowed(claims, c.req.param('tenantId')))
    return c.json({ error: { code: 'FORBIDDEN', message: 'Forbidden' } }, 403);
  c.set('claims', claims);
  await next();
});

/** The Hono app with the one route. */
export function createHonoP2() {
  const app = new Hono<Env>();
  app.use(cors({ origin: [ORIGIN] }), secureHeaders());
  app.post('/tenants/:tenantId/orders', bearerAuth, async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return c.json({ error: { code: 'BAD_REQUEST', message: 'Malformed JSON body' } }, 400);
    }
    const parsed = orderBody.safeParse(json);
    if (!parsed.success)
      return c.json({ error: { code: 'VALIDATION_FAILED', message: 'Invalid request' } }, 422);
    const requestId =
      (c.env as { event?: { requestContext?: { requestId?: string } } }).event?.requestContext?.requestId ??
      '';
    return c.json(
      acceptedOrder(requestId, c.req.param('tenantId'), String(c.get('claims').sub), parsed.data),
      201,
    );
  });
  app.onError((_error, c) =>
    c.json({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } }, 500),
  );
  return handle(app) as unknown as (event: unknown, context?: unknown) => Promise<unknown>;
}

/** The Lambda entry point. */
export const handler = createHonoP2();
