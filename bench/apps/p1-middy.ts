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

/** The Middy stack around a router of the 40 routes; `observe` adds middlewares first (P5's Powertools row). */
export function createMiddyP1(observe: (stack: ReturnType<typeof middy>) => void = () => {}) {
  const routes = Array.from({ length: ROUTES }, (_, n) => ({
    method: 'GET' as const,
    path: `/r${n}/{id}/items/{itemId}`,
    handler: async (event: { pathParameters?: Record<string, string | undefined> }) => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ route: n, id: event.pathParameters?.id, itemId: event.pathParameters?.itemId }),
    }),
  }));
  const stack = middy();
  observe(stack);
  return stack
    .use(httpHeaderNormalizer())
    .use(httpCors({ origins: [ORIGIN] }))
    .use(httpSecurityHeaders())
    .use(httpErrorHandler())
    .handler(httpRouterHandler(routes as never)) as unknown as (
    event: unknown,
    context?: unknown,
  ) => Promise<unknown>;
}

/** The Lambda entry point. Pure, so P5's Middy + Powertools bundle, which imports the factory, drops it. */
export const handler = /* @__PURE__ */ createMiddyP1();
