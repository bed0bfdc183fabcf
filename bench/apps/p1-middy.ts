/**
 * P1 with Middy, as its docs compose an HTTP API: core, http-router, header-normalizer, cors,
 * security-headers and error-handler (Middy 6, the last line that runs on Node 20).
 */
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import httpSecurityHeaders from '@middy/http-security-headers';
import { ORIGIN, ROUTES } from './common.js';

/** The Middy stack around a router of the 40 routes. */
export function createMiddyP1() {
  const routes = Array.from({ length: ROUTES }, (_, n) => ({
    method: 'GET' as const,
    path: `/r${n}/{id}/items/{itemId}`,
    handler: async (event: { pathParameters?: Record<string, string | undefined> }) => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ route: n, id: event.pathParameters?.id, itemId: event.pathParameters?.itemId }),
    }),
  }));
  return middy()
    .use(httpHeaderNormalizer())
    .use(httpCors({ origins: [ORIGIN] }))
    .use(httpSecurityHeaders())
    .use(httpErrorHandler())
    .handler(httpRouterHandler(routes as never)) as unknown as (
    event: unknown,
    context?: unknown,
  ) => Promise<unknown>;
}

/** The Lambda entry point. */
export const handler = createMiddyP1();
