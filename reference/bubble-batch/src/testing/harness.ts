/**
 * The app on real parts for tests: the table on dynalite (DynamoDB Local with
 * LIFT_TEST_DYNAMODB=local), rate limits counted in it, tokens verified by the real authenticator
 * (with the test key), presigned links made by the real presigners. Sign-in, Expo and the export
 * bucket are replaced by small fakes the test can look into.
 */
import type { App } from '@lift/core';
import { InvalidCodeError } from '@lift/core/cognito';
import { createDocumentClient, ensureTables, type TableClient, tableClient } from '@lift/core/dynamodb';
import { dynamoRateLimitStore } from '@lift/core/ratelimit';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '@lift/core/testing/dynamodb';
import { createBubbleBatchApp } from '../app.js';
import type { BubbleBatchDeps } from '../deps.js';
import type { ExpoPush } from '../push/expo.js';
import { bubbleTable, photosBucket } from '../resources.js';
import { idToken, testIssuer } from './tokens.js';

// Presigning needs a region and credentials, never a network: links are computed locally.
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
});

export const CURSOR_SECRET = 'bubble-batch-test-cursor-secret-0123456789';

export interface Harness {
  readonly app: App;
  readonly data: TableClient;
  readonly deps: BubbleBatchDeps;
  /** Emails passed to sign-in, and exports saved to the "bucket". */
  readonly signIns: string[];
  readonly saved: { userId: string; csv: string; fileName: string }[];
  /** Requests as a user (a fresh id token each), or anonymously. */
  as(userId: string): Caller;
  anonymous: Caller;
  close(): Promise<void>;
}

export type Caller = (
  method: string,
  path: string,
  json?: unknown,
  extra?: { headers?: Record<string, string>; sourceIp?: string },
) => ReturnType<App['request']>;

/** What a test may replace. */
export type HarnessOptions = Partial<
  Pick<BubbleBatchDeps, 'push' | 'now' | 'exportInlineBytes' | 'pushRetry'>
>;

const noPush: ExpoPush = {
  send: async () => {
    throw new Error('no push in this test');
  },
  receipts: async () => ({}),
};

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server: DynamoDBServer = await startTestDynamoDB();
  const client = await createDocumentClient({ config: localClientConfig(server.endpoint) });
  await ensureTables(client as never, [bubbleTable]);
  const data = tableClient(bubbleTable, { cursorSecret: CURSOR_SECRET, client });
  await data.get({ PK: 'WARM', SK: 'UP' }); // DynamoDB Local's first answer can take a second
  const signIns: string[] = [];
  const saved: Harness['saved'] = [];
  const deps: BubbleBatchDeps = {
    table: bubbleTable,
    data,
    bucket: photosBucket,
    issuer: testIssuer,
    signIn: {
      start: async (email) => {
        signIns.push(email);
        return { session: `session-for-${signIns.length}` };
      },
      verify: async (_email, _session, code) => {
        if (code !== '12345678') throw new InvalidCodeError();
        return { idToken: 'id', accessToken: 'access', refreshToken: 'refresh', expiresIn: 3600 };
      },
    },
    push: options.push ?? noPush,
    exports: {
      save: async (userId, csv, fileName) => {
        saved.push({ userId, csv, fileName });
        return `https://bucket.example/exports/${userId}/${saved.length}.csv?X-Amz-Signature=x`;
      },
    },
    // 300 ms (the default) is right for DynamoDB; a local server under a parallel test run is slower.
    rateLimitStore: dynamoRateLimitStore({ table: bubbleTable, client, timeoutMs: 3000 }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.exportInlineBytes === undefined ? {} : { exportInlineBytes: options.exportInlineBytes }),
    ...(options.pushRetry === undefined ? {} : { pushRetry: options.pushRetry }),
  };
  const app = createBubbleBatchApp(deps);
  const call =
    (userId: string | undefined): Caller =>
    async (method, path, json, extra = {}) => {
      const headers: Record<string, string> = { ...extra.headers };
      if (userId !== undefined) headers.authorization = `Bearer ${await idToken(userId)}`;
      return app.request({
        method,
        path,
        headers,
        ...(json === undefined ? {} : { json }),
        ...(extra.sourceIp === undefined ? {} : { sourceIp: extra.sourceIp }),
      });
    };
  return {
    app,
    data,
    deps,
    signIns,
    saved,
    as: (userId) => call(userId),
    anonymous: call(undefined),
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
