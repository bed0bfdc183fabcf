/**
 * `@lift/core/resilience`: outbound calls that answer before the Lambda deadline. Full-jitter retries
 * that never wait past the deadline, circuit breakers per dependency (cockatiel's), per-attempt
 * timeouts, for `fetch` and for AWS SDK clients; the typed errors faults are answered with; and the
 * request scope through which calls find the request's signal and deadline.
 */
export {
  type AwsClientDefaults,
  type AwsClientDefaultsOptions,
  type AwsRetryErrorInfo,
  type AwsRetryStrategy,
  type AwsRetryToken,
  awsClientDefaults,
  deadlineRetryStrategy,
} from './aws.js';
export { type RetryOptions, type RetryPlan, retryDelay, retryPlan, sleep } from './backoff.js';
export {
  type BreakerOptions,
  type BreakerState,
  type CircuitBreaker,
  circuitBreaker,
  type TransitionLogger,
  withCircuitBreaker,
} from './breaker.js';
export {
  abortReason,
  DependencyThrottledError,
  DependencyTimeoutError,
  DependencyUnavailableError,
  dependencyError,
  type FaultKind,
  faultOf,
  retryAfterMs,
} from './faults.js';
export { type FetchLike, resilientFetch, responseFault } from './fetch.js';
export {
  type Attempt,
  type ExecuteOptions,
  type ResiliencePolicy,
  type ResiliencePolicyOptions,
  type ResultFault,
  resiliencePolicy,
} from './policy.js';
export { callSignal, currentScope, type RequestScope, remainingBudgetMs, withRequestScope } from './scope.js';
