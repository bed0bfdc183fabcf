/**
 * The OpenAPI document of Bubble Batch, from the app itself: built on parts that are never called
 * (generating the document serves no request), so it needs no AWS, no DynamoDB and no environment.
 * `npm run openapi` writes it to openapi.json; src/openapi.test.ts fails when the two drift apart.
 */
import { fileURLToPath } from 'node:url';
import { tableClient } from '@lift/core/dynamodb';
import { type OpenApiDocument, type OpenApiWarning, openApiDocument } from '@lift/core/openapi';
import { memoryRateLimitStore } from '@lift/core/ratelimit';
import { createBubbleBatchApp } from '../app.js';
import { bubbleTable, photosBucket } from '../resources.js';

/** Where the committed document is. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi.json', import.meta.url));

/** The command that writes it again. */
export const REGENERATE = 'npm run openapi --workspace @lift/reference-bubble-batch';

const unused = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} is not available while the OpenAPI document is generated`);
};

/**
 * The app as the document describes it, on parts that are never called: its route table and response
 * schemas (`responseSchemas()`), without AWS, DynamoDB or an environment.
 */
export function documentedApp() {
  return createBubbleBatchApp({
    table: bubbleTable,
    data: tableClient(bubbleTable, { cursorSecret: 'openapi-generation-only-never-used-0123456789' }),
    bucket: photosBucket,
    // The user pool's id tokens; a deployment's pool id replaces this placeholder in its issuer URL.
    issuer: { cognito: { userPoolId: 'us-east-1_EXAMPLE', tokenUse: 'id', clientId: 'bubble-batch-app' } },
    signIn: { start: unused('sign-in'), verify: unused('sign-in') },
    push: { send: unused('push'), receipts: unused('push') },
    exports: { save: unused('the export store') },
    rateLimitStore: memoryRateLimitStore(),
  });
}

/** The document, as `npm run openapi` writes it. */
export function bubbleBatchDocument(onWarning?: (warning: OpenApiWarning) => void): OpenApiDocument {
  return openApiDocument(documentedApp(), {
    info: {
      title: 'Bubble Batch',
      version: '1.0.0',
      description: 'Fermentation batches, photo events, reminder pushes, CSV export and public pages.',
    },
    ...(onWarning === undefined ? {} : { onWarning }),
  });
}
