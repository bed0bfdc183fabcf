/** The response helper of the hand-written baselines, shared by their routes as a careful service would. */
import { ORIGIN } from './common.js';

/** A JSON answer with the security headers, and CORS for the allowed origin. */
export function respond(statusCode: number, body: unknown, origin: string | undefined) {
  // Written out as one literal, as a careful hand-written handler would: V8 builds it in ~30 ns,
  // where spreading a shared constant (common.ts's SECURITY_HEADERS) costs ~270 ns.
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    vary: 'Origin',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    'cache-control': 'no-store',
  };
  if (origin === ORIGIN) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-expose-headers'] = 'x-request-id';
  }
  return { statusCode, headers, body: JSON.stringify(body), isBase64Encoded: false };
}
