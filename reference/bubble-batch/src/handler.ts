/**
 * The Lambda entry point of Bubble Batch: the app built on the real table, bucket, user pool and
 * Expo. The resources are exported so `lift dev` creates them; `app` so it runs the schedule.
 */
import { ConfigurationError } from '@lift/core';
import { emailSignIn, userPoolIssuer } from '@lift/core/cognito';
import { tableClient } from '@lift/core/dynamodb';
import { createBubbleBatchApp } from './app.js';
import { s3ExportStore } from './exports-store.js';
import { expoPush } from './push/expo.js';
import { bubbleTable, photosBucket, userPool } from './resources.js';

export { bubbleTable, photosBucket, userPool } from './resources.js';

// List cursors are encrypted with this secret, the same on every instance (from Secrets Manager when
// deployed); `lift dev` runs with a fixed development one.
const cursorSecret =
  process.env.CURSOR_SECRET ??
  (process.env.LIFT_DEV === '1' ? 'bubble-batch-dev-cursor-secret-not-for-production' : undefined);
if (cursorSecret === undefined) throw new ConfigurationError('CURSOR_SECRET must be set');

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
