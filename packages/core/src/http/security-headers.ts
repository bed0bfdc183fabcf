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
  const names: string[] = [];
  const values: string[] = [];
  for (const key of Object.keys(NAMES) as (keyof SecurityHeadersOptions)[]) {
    const value = merged[key];
    if (value === false) continue;
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new ConfigurationError(`securityHeaders: ${key} must be a single-line string or false`);
    }
    names.push(NAMES[key]);
    values.push(value);
  }
  const all = names.length === Object.keys(NAMES).length;
  const v = values;
  // With every header on (the default), one object literal with fixed keys builds them at once,
  // then the response's own headers are laid over it, so anything the handler set wins.
  const defaults = (): Record<string, string> => ({
    'strict-transport-security': v[0] as string,
    'content-security-policy': v[1] as string,
    'x-content-type-options': v[2] as string,
    'x-frame-options': v[3] as string,
    'referrer-policy': v[4] as string,
    'cross-origin-opener-policy': v[5] as string,
    'cross-origin-resource-policy': v[6] as string,
    'permissions-policy': v[7] as string,
    'cache-control': v[8] as string,
  });
  return markProtection<MiddlewareHooks<object>>(
    {
      after(ctx) {
        const res = ctx.res;
        if (res === undefined) return;
        if (all) {
          res.headers = Object.assign(defaults(), res.headers);
          return;
        }
        const headers = res.headers;
        for (let i = 0; i < names.length; i++) {
          const name = names[i] as string;
          if (headers[name] === undefined) headers[name] = values[i] as string;
        }
      },
    },
    'securityHeaders',
  );
}
