/**
 * The Lambda entry point of Bubble Batch: the app built on the real table, bucket, user pool and
 * Expo. The resources are exported so `lift dev` creates them; `app` so it runs the schedule, and
 * so a client can be typed from it (`createClient<typeof app>(url)` from `@lift/core/client`).
 */
import { ConfigurationError } from '@lift/core';
import { emailSignIn, userPoolIssuer } from '@lift/core/cognito';
import { tableClient } from '@lift/core/dynamodb';
import { createSecrets, secretsManagerSource } from '@lift/core/secrets';
import { createBubbleBatchApp } from './app.js';
import { s3ExportStore } from './exports-store.js';
import { expoPush } from './push/expo.js';
import { bubbleTable, photosBucket, userPool } from './resources.js';

export { bubbleTable, photosBucket, userPool } from './resources.js';

// List cursors are encrypted with this secret, the same on every instance: deployed, read once from
// Secrets Manager (CURSOR_SECRET_ARN, set by the stack) when a list first pages, so importing this
// module never calls AWS (the CDK app imports it to read the declarations); `lift dev` uses a fixed
// development one.
const secrets = createSecrets({ source: secretsManagerSource() });
const cursorSecret = (): Promise<string> | string => {
  const arn = process.env.CURSOR_SECRET_ARN;
  if (arn !== undefined) return secrets.get(arn);
  if (process.env.CURSOR_SECRET !== undefined) return process.env.CURSOR_SECRET;
  if (process.env.LIFT_DEV === '1') return 'bubble-batch-dev-cursor-secret-not-for-production';
  throw new ConfigurationError('CURSOR_SECRET_ARN (or CURSOR_SECRET) must be set');
};

export const app = createBubbleBatchApp({
  table: bubbleTable,
  data: tableClient(bubbleTable, { cursorSecret }),
  bucket: photosBucket,
  issuer: userPoolIssuer(userPool, 'id'),
  signIn: emailSignIn(userPool),
  push: expoPush(
    process.env.EXPO_ACCESS_TOKEN === undefined ? {} : { accessToken: process.env.EXPO_ACCESS_TOKEN },
  ),
  exports: s3ExportStore(photosBucket),
});

export const handler = app.handler;
