/**
 * Lift's local S3 stand-in: a loopback HTTP server speaking the S3 REST subset a Lambda service uses
 * (objects, listing, presigned PUT/GET, browser POST uploads), verifying every SigV4 signature and
 * enforcing POST policies as S3 does. See README.md in this folder for the choice and its limits.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CorsRule } from './respond.js';
import { createS3Handler } from './server.js';
import { Authenticator, type S3Credentials } from './sigv4.js';
import { isValidBucketName, ObjectStore } from './store.js';

export type { CorsRule } from './respond.js';
export type { S3Credentials } from './sigv4.js';

/** The key pair `lift dev` gives services when it runs local stand-ins (the same as for DynamoDB). */
export const LOCAL_S3_CREDENTIALS: S3Credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Options of {@link startS3StandIn}. */
export interface S3StandInOptions {
  /** Buckets to create at start (kept if `dir` already has them). */
  readonly buckets: readonly string[];
  /** Keep buckets and objects in this folder across restarts; in memory when absent. */
  readonly dir?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Address to listen on; default `127.0.0.1`. */
  readonly host?: string;
  /** The region requests must be signed for; default `us-east-1`. */
  readonly region?: string;
  /**
   * The key pairs whose signatures are accepted; default {@link LOCAL_S3_CREDENTIALS}. The first is
   * the one returned as `credentials`.
   */
  readonly credentials?: S3Credentials | readonly S3Credentials[];
  /** Largest object accepted, in bytes; default 100 MiB. Larger uploads get 400 EntityTooLarge. */
  readonly maxObjectBytes?: number;
  /** Browser access: one CORS rule for every bucket, or `false` for none; default any origin. */
  readonly cors?: CorsRule | false;
  /** The server's clock in epoch ms, for tests of expiry; default `Date.now`. */
  readonly now?: () => number;
}

/** A running S3 stand-in. */
export interface S3StandIn {
  /** `http://127.0.0.1:PORT`: the S3 endpoint (`AWS_ENDPOINT_URL_S3`, or `endpoint` of an `S3Client`). */
  readonly endpoint: string;
  readonly region: string;
  /** The key pair to sign with. */
  readonly credentials: S3Credentials;
  /**
   * The environment that points an AWS SDK v3 service at the stand-in: `AWS_ENDPOINT_URL_S3`,
   * `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`. (An IP endpoint is addressed
   * path-style by the SDK without `forcePathStyle`.)
   */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the server; objects stay in `dir` when one was given. */
  close(): Promise<void>;
}

/**
 * Starts a local S3 on loopback with the given buckets.
 *
 * @example
 * const s3 = await startS3StandIn({ buckets: ['photos'] });
 * const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
 */
export async function startS3StandIn(options: S3StandInOptions): Promise<S3StandIn> {
  const region = options.region ?? 'us-east-1';
  const pairs = options.credentials === undefined ? [LOCAL_S3_CREDENTIALS] : [options.credentials].flat();
  const [credentials] = pairs;
  if (credentials === undefined)
    throw new Error('startS3StandIn: credentials must name at least one key pair');
  const invalid = options.buckets.filter((name) => !isValidBucketName(name));
  if (invalid.length > 0) throw new Error(`startS3StandIn: not valid S3 bucket names: ${invalid.join(', ')}`);
  const now = options.now ?? Date.now;
  const store = await ObjectStore.open(options.dir);
  for (const bucket of options.buckets) await store.createBucket(bucket, now());

  const server = createServer(
    createS3Handler({
      store,
      auth: new Authenticator(pairs, region, now),
      region,
      maxObjectBytes: options.maxObjectBytes ?? 100 * 1024 * 1024,
      cors: options.cors === false ? undefined : (options.cors ?? { allowedOrigins: ['*'] }),
      now,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const endpoint = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    endpoint,
    region,
    credentials,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
