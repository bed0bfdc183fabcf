import type { Middleware } from '../app/compose.js';
import { ConfigurationError } from '../errors/errors.js';

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
 * a header the handler set itself. The header list is computed once, here.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): Middleware<object> {
  for (const key of Object.keys(options)) {
    if (!(key in NAMES)) throw new ConfigurationError(`securityHeaders: unknown option "${key}"`);
  }
  const merged = { ...DEFAULTS, ...options };
  const pairs: [string, string][] = [];
  for (const key of Object.keys(NAMES) as (keyof SecurityHeadersOptions)[]) {
    const value = merged[key];
    if (value === false) continue;
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new ConfigurationError(`securityHeaders: ${key} must be a single-line string or false`);
    }
    pairs.push([NAMES[key], value]);
  }
  return async (ctx, next) => {
    await next();
    const headers = ctx.res?.headers;
    if (headers === undefined) return;
    for (const [name, value] of pairs) if (headers[name] === undefined) headers[name] = value;
  };
}
