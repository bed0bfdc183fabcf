/**
 * `@lift/cli` programmatic API: the dev server (schedules included) and one-off invocations, as
 * `lift dev` and `lift invoke` run them.
 */
export type { DevOutbox, OutboxMessage } from './dashboard/index.js';
export { LOCK_FILE, lockDataDir } from './data-dir-lock.js';
export {
  applyDevEnvironment,
  DEFAULT_DEV_AUDIENCE,
  DEV_ISSUER,
  DEV_JWKS_PATH,
  type DevIssuer,
  type DevTokenOptions,
  devIssuerFile,
  loadDevIssuer,
  mintDevToken,
} from './dev-issuer.js';
export {
  type DevServer,
  DevServerError,
  type DevServerOptions,
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  startDevServer,
} from './dev-server.js';
export { type LocalDynamoDB, type LocalDynamoDBOptions, startLocalDynamoDB } from './environment.js';
export { type EventFormat, MAX_BODY_BYTES, toEvent, writeResult } from './http-bridge.js';
export { buildInvokeEvent, HTTP_SOURCES, INVOKE_SOURCES, type InvokeOptions, invoke } from './invoke.js';
export {
  buildRecordEvent,
  RECORD_SOURCES,
  type RecordEventInit,
  type RecordSourceName,
} from './invoke-records.js';
export { formatOpenApi, generateOpenApi, type OpenApiCommandOptions } from './openapi.js';
export { liftCacheDir, projectRoot } from './paths.js';
export type { ScheduleClock, ScheduleStatus } from './schedules.js';
export {
  type DeclaredApp,
  type DeclaredBucket,
  type DeclaredUserPool,
  type LoadedService,
  type LoadServiceOptions,
  loadService,
  ServiceError,
} from './service.js';
export { explainRefusedToken } from './token-diagnosis.js';
