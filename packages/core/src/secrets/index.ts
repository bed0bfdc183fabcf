/**
 * `@lift/core/secrets`: Secrets Manager and SSM Parameter Store values with caching, stale serving
 * and forced refresh. The AWS SDK clients (peer dependencies) are imported on first use.
 */
export { createSecrets, SecretError, type Secrets, type SecretsOptions } from './secrets.js';
export { parameterStoreSource, type SecretSource, secretsManagerSource } from './sources.js';
