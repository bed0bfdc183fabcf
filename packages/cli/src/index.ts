/** `@lift/cli` programmatic API: the dev server and one-off invocations, as `lift dev` and `lift invoke` run them. */
export {
  DEV_ISSUER,
  DEV_JWKS_PATH,
  type DevIssuer,
  type DevTokenOptions,
  loadDevIssuer,
  mintDevToken,
} from './dev-issuer.js';
export { type DevServer, DevServerError, type DevServerOptions, startDevServer } from './dev-server.js';
export { type LocalDynamoDB, type LocalDynamoDBOptions, startLocalDynamoDB } from './environment.js';
export { type EventFormat, toEvent, writeResult } from './http-bridge.js';
export { INVOKE_SOURCES, type InvokeOptions, invoke } from './invoke.js';
export { type LoadedService, loadService, ServiceError } from './service.js';
