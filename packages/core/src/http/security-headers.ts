import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { type MiddlewareHooks, markProtection } from '../middleware/compose.js';

/** Options of {@link securityHeaders}: each header's value, or `false` to leave it out. */
export interface SecurityHeadersOptions {
  readonly strictTransportSecurity?: string | false;
  readonly contentSecurityPolicy?: string | false;
  readonly contentTypeOptions?: 'nosniff' | false;
  readonly frameOptions?: 'DENY' | 'SAMEORIGIN' | false;
  readonly referrerPolicy?: string | false;
  readonly crossOriginOpenerPolicy?: string | false;
  readonly crossOriginResourcePolicy?: string | false;
  readonly permissionsPolicy?: string | false;
  /** `Cache-Control` when the handler set none (default `no-store`: API answers are often private). */
  readonly cacheControl?: string | false;
}

const DEFAULTS: Required<SecurityHeadersOptions> = {
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
  contentTypeOptions: 'nosniff',
  frameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  permissionsPolicy: 'camera=(), microphone=(), geolocation=()',
  cacheControl: 'no-store',
};

const NAMES: Record<keyof SecurityHeadersOptions, string> = {
  strictTransportSecurity: 'strict-transport-security',
  contentSecurityPolicy: 'content-security-policy',
  contentTypeOptions: 'x-content-type-options',
  frameOptions: 'x-frame-options',
  referrerPolicy: 'referrer-policy',
  crossOriginOpenerPolicy: 'cross-origin-opener-policy',
  crossOriginResourcePolicy: 'cross-origin-resource-policy',
  permissionsPolicy: 'permissions-policy',
  cacheControl: 'cache-control',
};

/**
 * Adds secure response headers to every answer (errors, 404 and 405 included), without overriding
 * a header the handler set itself. The header list is computed once, here. Every app has it on by
 * default (`createApp({ securityHeaders })` configures it); use this in a group for a different
 * value on some routes (a group's header wins over the app's), or in an app created with
 * `securityHeaders: false`.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHooks<object> {
  refuseUnknownOptions(options, Object.keys(NAMES), 'securityHeaders');
  const merged = { ...DEFAULTS, ...options };
  const on: Partial<Record<keyof SecurityHeadersOptions, string>> = {};
  for (const key of Object.keys(NAMES) as (keyof SecurityHeadersOptions)[]) {
    const value = merged[key];
    if (value === false) continue;
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new ConfigurationError(`securityHeaders: ${key} must be a single-line string or false`);
    }
    on[key] = value;
  }
  // One store per header, each with its name written out: a store site that sees a single constant
  // name stays monomorphic, so the nine checks cost about as much as building one object literal,
  // where a loop over the names (one site for all of them) or merging into a fresh literal costs
  // several times that on every answer. A value left out (`false`) is undefined and never written.
  const hsts = on.strictTransportSecurity;
  const csp = on.contentSecurityPolicy;
  const nosniff = on.contentTypeOptions;
  const frame = on.frameOptions;
  const referrer = on.referrerPolicy;
  const coop = on.crossOriginOpenerPolicy;
  const corp = on.crossOriginResourcePolicy;
  const permissions = on.permissionsPolicy;
  const cache = on.cacheControl;
  return markProtection<MiddlewareHooks<object>>(
    {
      after(ctx) {
        const res = ctx.res;
        if (res === undefined) return;
        // A header the response already has (the handler's, an inner group's) is kept.
        const h = res.headers;
        if (hsts !== undefined && h['strict-transport-security'] === undefined)
          h['strict-transport-security'] = hsts;
        if (csp !== undefined && h['content-security-policy'] === undefined)
          h['content-security-policy'] = csp;
        if (nosniff !== undefined && h['x-content-type-options'] === undefined)
          h['x-content-type-options'] = nosniff;
        if (frame !== undefined && h['x-frame-options'] === undefined) h['x-frame-options'] = frame;
        if (referrer !== undefined && h['referrer-policy'] === undefined) h['referrer-policy'] = referrer;
        if (coop !== undefined && h['cross-origin-opener-policy'] === undefined)
          h['cross-origin-opener-policy'] = coop;
        if (corp !== undefined && h['cross-origin-resource-policy'] === undefined)
          h['cross-origin-resource-policy'] = corp;
        if (permissions !== undefined && h['permissions-policy'] === undefined)
          h['permissions-policy'] = permissions;
        if (cache !== undefined && h['cache-control'] === undefined) h['cache-control'] = cache;
      },
    },
    'securityHeaders',
  );
}
