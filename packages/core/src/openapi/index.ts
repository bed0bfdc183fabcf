/**
 * OpenAPI 3.1 from an app's route table: `openApiDocument(app, { info, servers })`, or
 * `await app.openapi()`, which loads this module only when called.
 */
export type {
  JsonObject,
  JsonValue,
  OpenApiDocument,
  OpenApiInfo,
  OpenApiOptions,
  OpenApiServer,
  OpenApiWarning,
} from '../app/describe.js';
export { openApiDocument, openApiJson } from './document.js';
export { type OpenApiChanges, openApiChanges } from './drift.js';
