/**
 * What every contender of a workload shares: the routes, the allowed origin, the token issuer, and
 * the security headers each must send. Contenders differ only in the framework. Kept free of
 * imports, so a P1 bundle carries nothing P1 does not use.
 */

/** Routes of P1, shaped `/r{n}/:id/items/:itemId`. */
export const ROUTES = 40;
/** The one origin CORS allows. */
export const ORIGIN = 'https://app.example.com';
export const ISSUER = 'https://issuer.bench';
export const AUDIENCE = 'bench-api';
/** The role P2's route requires. */
export const ROLE = 'company_admin';

/**
 * The security headers of the workloads: for contenders without a middleware of their own (raw,
 * Powertools), the values Lift's `securityHeaders()` sends.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};
