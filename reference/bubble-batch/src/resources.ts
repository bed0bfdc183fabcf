/**
 * The AWS resources Bubble Batch uses, declared once: `lift dev` creates them locally (the entry
 * re-exports them) and the deployment creates them in AWS. See README.md for the table design.
 */
import { defineUserPool } from '@lift/core/cognito';
import { defineTable } from '@lift/core/dynamodb';
import { defineBucket } from '@lift/core/s3';

/** The one table: users' batches, events, reminders and devices, public pointers, rate limits. */
export const bubbleTable = defineTable({
  name: 'bubble-batch',
  nameFromEnv: 'TABLE_NAME',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalIndexes: [
    { name: 'GSI1', partitionKey: { name: 'GSI1PK', type: 'S' }, sortKey: { name: 'GSI1SK', type: 'S' } },
  ],
  ttlAttribute: 'expiresAt',
});

/** Batch photos (uploaded by the app with presigned POSTs) and large CSV exports. */
export const photosBucket = defineBucket({ name: 'bubble-batch-photos', nameFromEnv: 'BUCKET_NAME' });

/** Users sign in with a code sent by email; the app's tokens are this pool's id tokens. */
export const userPool = defineUserPool({ name: 'bubble-batch-users', signIn: 'email-otp' });
