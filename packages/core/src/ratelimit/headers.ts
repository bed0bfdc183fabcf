import type { Decision } from './decision.js';

/** The version of the IETF RateLimit header fields draft that {@link rateLimitHeaders} writes. */
export const RATE_LIMIT_HEADERS_DRAFT = 'draft-ietf-httpapi-ratelimit-headers-10';

// An sf-string (RFC 9651 §3.3.3): printable ASCII in quotes, with `"` and `\` escaped.
function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new TypeError(`rateLimitHeaders: "${value}" is not printable ASCII`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The response headers for a decision, as draft-ietf-httpapi-ratelimit-headers-10 defines them
 * (structured fields, RFC 9651): `RateLimit-Policy: "name";q=<limit>;w=<window seconds>` and
 * `RateLimit: "name";r=<remaining>;t=<seconds until capacity frees>`, plus `Retry-After` (seconds)
 * when limited. For `store_error` and `timeout` only the policy is stated: there is no state to
 * report. Names are lower case, as the adapters write them.
 */
export function rateLimitHeaders(
  decision: Decision,
  policyName: string = decision.policy,
): Record<string, string> {
  const name = sfString(policyName);
  const headers: Record<string, string> = {
    'ratelimit-policy': `${name};q=${decision.limit};w=${decision.windowSeconds}`,
  };
  if (decision.outcome !== 'allowed' && decision.outcome !== 'limited') return headers;
  headers.ratelimit = `${name};r=${decision.remaining};t=${decision.resetSeconds}`;
  if (decision.outcome === 'limited' && decision.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}
