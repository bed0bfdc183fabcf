/** P2 by hand: jose, the tenant and role checks, zod, and the same headers as P1's baseline. */
import { allowed, verifyBearer } from './jose-auth.js';
import { acceptedOrder, orderBody } from './order.js';
import { respond } from './raw-respond.js';

interface HttpApiEvent {
  rawPath: string;
  headers: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: { requestId: string; http: { method: string } };
}

/** A careful hand-written handler of the secured POST. */
export function createRawP2() {
  const fail = (status: number, code: string, message: string, event: HttpApiEvent) =>
    respond(
      status,
      { error: { code, message, requestId: event.requestContext.requestId } },
      event.headers.origin,
    );
  return async (input: unknown) => {
    const event = input as HttpApiEvent;
    const parts = event.rawPath.split('/');
    if (parts.length !== 4 || parts[1] !== 'tenants' || parts[3] !== 'orders' || parts[2] === '')
      return fail(404, 'NOT_FOUND', 'Not found', event);
    if (event.requestContext.http.method !== 'POST')
      return fail(405, 'METHOD_NOT_ALLOWED', 'Method not allowed', event);
    const claims = await verifyBearer(event.headers.authorization);
    if (claims === undefined) return fail(401, 'UNAUTHORIZED', 'Unauthorized', event);
    if (!allowed(claims, parts[2])) return fail(403, 'FORBIDDEN', 'Forbidden', event);
    if (!(event.headers['content-type'] ?? '').startsWith('application/json'))
      return fail(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', event);
    let json: unknown;
    try {
      json = JSON.parse(
        event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? ''),
      );
    } catch {
      return fail(400, 'BAD_REQUEST', 'Malformed JSON body', event);
    }
    const parsed = orderBody.safeParse(json);
    if (!parsed.success) return fail(422, 'VALIDATION_FAILED', 'Invalid request', event);
    return respond(
      201,
      acceptedOrder(event.requestContext.requestId, parts[2] as string, String(claims.sub), parsed.data),
      event.headers.origin,
    );
  };
}

/** The Lambda entry point. */
export const handler = createRawP2();
