/**
 * P2 with Middy: the P1 stack around the router; on the route, a jose bearer check (as Middy users
 * write one: Middy has no JWT verifier), then json-body-parser and zod.
 */
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import httpSecurityHeaders from '@middy/http-security-headers';
import { createError } from '@middy/util';
import type { JWTPayload } from 'jose';
import { ORIGIN } from './common.js';
import { allowed, verifyBearer } from './jose-auth.js';
import { acceptedOrder, orderBody } from './order.js';

interface OrderEvent {
  headers: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  requestContext: { requestId: string };
  body: unknown;
  claims?: JWTPayload;
}

/** Verifies the bearer token and the tenant and role, before the body is parsed. */
const bearerAuth = (): middy.MiddlewareObj<OrderEvent> => ({
  before: async (request) => {
    const claims = await verifyBearer(request.event.headers.authorization);
    if (claims === undefined) throw createError(401, 'Unauthorized');
    if (!allowed(claims, request.event.pathParameters?.tenantId)) throw createError(403, 'Forbidden');
    request.event.claims = claims;
  },
});

/** The Middy stack around a router with the one route. */
export function createMiddyP2() {
  const placeOrder = middy<OrderEvent>()
    .use(bearerAuth())
    .use(httpJsonBodyParser() as unknown as middy.MiddlewareObj<OrderEvent>)
    .handler(async (event: OrderEvent) => {
      const parsed = orderBody.safeParse(event.body);
      if (!parsed.success) throw createError(422, 'Invalid request');
      return {
        statusCode: 201,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(
          acceptedOrder(
            event.requestContext.requestId,
            event.pathParameters?.tenantId ?? '',
            String(event.claims?.sub),
            parsed.data,
          ),
        ),
      };
    });
  return middy()
    .use(httpHeaderNormalizer())
    .use(httpCors({ origins: [ORIGIN] }))
    .use(httpSecurityHeaders())
    .use(httpErrorHandler({ logger: false }))
    .handler(
      httpRouterHandler([
        { method: 'POST', path: '/tenants/{tenantId}/orders', handler: placeOrder },
      ] as never),
    ) as unknown as (event: unknown, context?: unknown) => Promise<unknown>;
}

/** The Lambda entry point. */
export const handler = createMiddyP2();
