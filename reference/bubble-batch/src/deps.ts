/** What the app is built from: real clients in `handler.ts`, local ones in tests. */
import type { Principal } from '@lift/core';
import { UnauthorizedError } from '@lift/core';
import type { CognitoIssuerOptions } from '@lift/core/auth';
import type { EmailSignIn } from '@lift/core/cognito';
import type { TableClient, TableDefinition } from '@lift/core/dynamodb';
import type { RateLimitStore } from '@lift/core/ratelimit';
import type { RetryOptions } from '@lift/core/resilience';
import type { BucketDefinition } from '@lift/core/s3';
import type { ExportStore } from './exports-store.js';
import type { ExpoPush } from './push/expo.js';

export interface BubbleBatchDeps {
  /** The declared table (rate limits are counted in it too) and a client for it. */
  readonly table: TableDefinition;
  readonly data: TableClient;
  /** Photos and large exports. */
  readonly bucket: BucketDefinition;
  /**
   * The user pool's id tokens: `userPoolIssuer(userPool, 'id')`. Tests add `jwks` (their own keys)
   * so no key set is fetched.
   */
  readonly issuer: CognitoIssuerOptions;
  /** Email sign-in: `emailSignIn(userPool)`. */
  readonly signIn: Pick<EmailSignIn, 'start' | 'verify'>;
  readonly push: ExpoPush;
  readonly exports: ExportStore;
  /** Where rate limits are counted (default `dynamoRateLimitStore({ table })`). */
  readonly rateLimitStore?: RateLimitStore;
  /** The clock in ms (default `Date.now`), for suggestions, reminders and the processor. */
  readonly now?: () => number;
  /** CSV exports up to this size are answered inline, larger ones through the bucket (default 1 MiB). */
  readonly exportInlineBytes?: number;
  /** The processor's retries of transient push failures, and its lease. */
  readonly pushRetry?: RetryOptions;
  readonly leaseMs?: number;
}

/** {@link BubbleBatchDeps} with the defaults applied. */
export type Deps = BubbleBatchDeps & { readonly now: () => number; readonly exportInlineBytes: number };

/** The signed-in user's id (every protected route has one: access control ran first). */
export function userOf(ctx: { readonly principal: Principal | undefined }): string {
  const id = ctx.principal?.userId;
  if (id === undefined) throw new UnauthorizedError();
  return id;
}
