/**
 * `@lift/core/ratelimit`: rate limits that hold across Lambda instances. An exact sliding window
 * (never more than `limit` admissions in any window of length `window`, so no 2x burst at window
 * edges), kept in memory or in DynamoDB with one conditional write per decision, lease mode for hot
 * keys, presets from the hardened-finance requirements, and the IETF `RateLimit` headers.
 * See docs/rate-limits.md.
 */
export {
  admits,
  type ConsumeOptions,
  type Decision,
  type Outcome,
  type RateLimitStore,
} from './decision.js';
export {
  type DynamoRateLimitStore,
  type DynamoRateLimitStoreOptions,
  dynamoRateLimitStore,
  type RateLimitStats,
} from './dynamo-store.js';
export { RATE_LIMIT_HEADERS_DRAFT, rateLimitHeaders } from './headers.js';
export {
  type RateLimitKey,
  RateLimits,
  type RateLimitsOptions,
  type RouteRateLimit,
  type RouteRateLimitOption,
  rateLimits,
} from './limits.js';
export { type MemoryRateLimitStoreOptions, memoryRateLimitStore } from './memory-store.js';
export {
  type CheckedRule,
  checkRule,
  type LeaseOptions,
  MAX_RATE_LIMIT,
  parseWindow,
  RATE_LIMIT_PRESETS,
  type RateLimitRule,
} from './rule.js';
