/** P1 by hand: the baseline every framework is measured against. */
import { ROUTES } from './common.js';
import { respond } from './raw-respond.js';

/** A careful hand-written handler: one split, a map of route names, the same headers and envelope. */
export function createRawP1() {
  const routes = new Map<string, number>();
  for (let n = 0; n < ROUTES; n++) routes.set(`r${n}`, n);
  const handler = async (input: unknown) => {
    const event = input as {
      rawPath: string;
      headers: Record<string, string>;
      requestContext: { requestId: string; http: { method: string } };
    };
    const origin = event.headers.origin;
    try {
      const parts = event.rawPath.split('/');
      const n = parts.length === 5 && parts[3] === 'items' ? routes.get(parts[1] as string) : undefined;
      if (n === undefined || parts[2] === '' || parts[4] === '') {
        return respond(
          404,
          { error: { code: 'NOT_FOUND', message: 'Not found', requestId: event.requestContext.requestId } },
          origin,
        );
      }
      if (event.requestContext.http.method !== 'GET' && event.requestContext.http.method !== 'HEAD') {
        return respond(
          405,
          {
            error: {
              code: 'METHOD_NOT_ALLOWED',
              message: 'Method not allowed',
              requestId: event.requestContext.requestId,
            },
          },
          origin,
        );
      }
      return respond(200, { route: n, id: parts[2], itemId: parts[4] }, origin);
    } catch {
      return respond(
        500,
        {
          error: {
            code: 'INTERNAL_ERROR',
            message: 'Internal server error',
            requestId: event.requestContext.requestId,
          },
        },
        origin,
      );
    }
  };
  return handler;
}

/** The Lambda entry point. */
export const handler = createRawP1();
