/**
 * `@lift/core/http`: the built-in HTTP protections, each also importable on its own
 * (`@lift/core/http/cors`, ...). All are middleware: `app.use(requestId(), cors({...}), securityHeaders())`.
 */
export { type BodyLimitOptions, bodyLimit } from './body-limit.js';
export { type CorsOptions, cors } from './cors.js';
export { type RequestIdOptions, requestId } from './request-id.js';
export { type SecurityHeadersOptions, securityHeaders } from './security-headers.js';
export { type TimeoutOptions, timeout } from './timeout.js';
