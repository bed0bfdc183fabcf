import type { JsonObject } from '../app/describe.js';

/** The error responses every document shares, by component name: status, code and message as sent. */
const ERRORS = {
  BadRequest: [
    400,
    'BAD_REQUEST',
    'Bad request',
    'The request is malformed: bad JSON, bad percent-encoding, an ambiguous repeated field, a missing idempotency key.',
  ],
  Unauthorized: [401, 'UNAUTHORIZED', 'Authentication required', 'No valid credentials were presented.'],
  Forbidden: [
    403,
    'FORBIDDEN',
    'Forbidden',
    'The caller is known but not allowed: a missing role, scope or permission, or another tenant named.',
  ],
  NotFound: [404, 'NOT_FOUND', 'Not found', 'No such resource (or no such route).'],
  MethodNotAllowed: [
    405,
    'METHOD_NOT_ALLOWED',
    'Method not allowed',
    'The path exists but not for this method; `Allow` lists the methods it answers.',
  ],
  Conflict: [409, 'CONFLICT', 'Conflict', 'A request with the same idempotency key is still in flight.'],
  PayloadTooLarge: [
    413,
    'PAYLOAD_TOO_LARGE',
    'Request body exceeds 1048576 bytes',
    'The body is larger than the limit, in `details.limitBytes`.',
  ],
  UnsupportedMediaType: [
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Content-Type text/csv is not supported',
    'The body has no Content-Type, or one the service does not read.',
  ],
  ValidationFailed: [
    422,
    'VALIDATION_FAILED',
    'Validation failed',
    'The request is well-formed but fails validation; `details.issues` lists every field.',
  ],
  TooManyRequests: [
    429,
    'TOO_MANY_REQUESTS',
    'Too many requests',
    'A rate limit was hit; `Retry-After` says when to try again.',
  ],
  InternalError: [
    500,
    'INTERNAL_ERROR',
    'Internal server error',
    'The service failed; nothing about why is sent.',
  ],
  ServiceUnavailable: [
    503,
    'SERVICE_UNAVAILABLE',
    'Rate limit unavailable',
    'A dependency (such as the rate-limit store) cannot answer.',
  ],
} as const;

/** The name of a shared error response. */
export type ErrorName = keyof typeof ERRORS;

/** The status of a shared error response. */
export const statusOf = (name: ErrorName): number => ERRORS[name][0];

const ref = (kind: string, name: string): JsonObject => ({ $ref: `#/components/${kind}/${name}` });

const header = (description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({
  description,
  schema,
});

/** The headers of rate-limited responses (draft-ietf-httpapi-ratelimit-headers-10). */
export const RATE_LIMIT_HEADERS: JsonObject = {
  RateLimit: ref('headers', 'RateLimit'),
  'RateLimit-Policy': ref('headers', 'RateLimit-Policy'),
};

/**
 * The components every document has: the error envelope (`Error`, and `ValidationError` for a
 * 422's issues), one response per error status, and the headers they carry.
 */
export function errorComponents(): { schemas: JsonObject; responses: JsonObject; headers: JsonObject } {
  const responses: JsonObject = {};
  for (const [name, [status, code, message, description]] of Object.entries(ERRORS)) {
    const headers: JsonObject =
      status === 401
        ? { 'WWW-Authenticate': ref('headers', 'WWW-Authenticate') }
        : status === 405
          ? { Allow: ref('headers', 'Allow') }
          : status === 429
            ? { ...RATE_LIMIT_HEADERS, 'Retry-After': ref('headers', 'Retry-After') }
            : status === 503
              ? { 'Retry-After': ref('headers', 'Retry-After') }
              : {};
    const schema = status === 422 ? 'ValidationError' : 'Error';
    const example: JsonObject = { code, message, requestId: '5f0c6f9e-2b1d-4c55-9a53-0c1f8e3b7a10' };
    if (status === 413) example.details = { limitBytes: 1048576 };
    if (status === 422) example.details = { issues: [{ path: 'body.name', message: 'Required' }] };
    responses[name] = {
      description,
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      content: { 'application/json': { schema: ref('schemas', schema), example: { error: example } } },
    };
  }
  const envelope = (details: JsonObject): JsonObject => ({
    type: 'object',
    description: 'The envelope of every error response.',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: {
            type: 'string',
            description: 'Stable, machine-readable code (`NOT_FOUND`, `VALIDATION_FAILED`...).',
          },
          message: { type: 'string', description: 'Safe to show; never internals.' },
          requestId: { type: 'string', description: 'The request id, as in the `x-request-id` header.' },
          details,
        },
        required: ['code', 'message', 'requestId'],
      },
    },
    required: ['error'],
  });
  return {
    schemas: {
      Error: envelope({ description: 'Safe extra data, by code.' }),
      FieldIssue: {
        type: 'object',
        properties: {
          path: {
            type: 'string',
            description: '`body`, `query`, `params` or `headers`, then the path inside it.',
          },
          message: { type: 'string' },
        },
        required: ['path', 'message'],
      },
      ValidationError: envelope({
        type: 'object',
        properties: { issues: { type: 'array', items: ref('schemas', 'FieldIssue') } },
        required: ['issues'],
      }),
    },
    responses,
    headers: {
      Allow: header('The methods the path answers.'),
      RateLimit: header(
        'Remaining quota per policy: `"name";r=<remaining>;t=<seconds until capacity frees>`.',
      ),
      'RateLimit-Policy': header('The policies checked: `"name";q=<limit>;w=<window seconds>`.'),
      'Retry-After': header('Seconds to wait before trying again.', { type: 'integer', minimum: 0 }),
      'WWW-Authenticate': header('The scheme expected, and why a token was refused.'),
    },
  };
}

/** What a route's error statuses depend on. */
export interface RouteTraits {
  readonly protected: boolean;
  readonly hasParams: boolean;
  readonly readsBody: boolean;
  readonly validates: boolean;
  readonly rateLimited: boolean;
  readonly idempotent: boolean;
  readonly bodyLimited: boolean;
}

/**
 * The error responses a route can give, by status, each a reference to its shared component: what
 * Lift itself answers on that route, from how the route is declared.
 */
export function routeErrors(traits: RouteTraits): [string, JsonObject][] {
  const names: ErrorName[] = [];
  // Malformed input: a body that is not JSON, an ambiguous tenant field, a missing idempotency key.
  if (traits.readsBody || traits.protected || traits.idempotent || traits.validates) names.push('BadRequest');
  if (traits.protected) names.push('Unauthorized', 'Forbidden');
  if (traits.hasParams) names.push('NotFound');
  if (traits.idempotent) names.push('Conflict');
  if (traits.readsBody && traits.bodyLimited) names.push('PayloadTooLarge');
  if (traits.readsBody) names.push('UnsupportedMediaType');
  if (traits.validates || traits.idempotent) names.push('ValidationFailed');
  if (traits.rateLimited) names.push('TooManyRequests');
  names.push('InternalError');
  if (traits.rateLimited) names.push('ServiceUnavailable');
  return names.map((name) => [String(statusOf(name)), ref('responses', name)]);
}
