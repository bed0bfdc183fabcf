/** `@lift/core/health`: liveness and readiness routes with dependency checks. */
export {
  type CheckResult,
  dynamoTableCheck,
  type HealthCheck,
  type HealthOptions,
  httpCheck,
  registerHealth,
  secretCheck,
} from './health.js';
