import type { S3Client } from '@aws-sdk/client-s3';
import { instrumentAwsClient } from '../otel/otel.js';
import { lazyPeer } from '../peer/peer.js';
import { awsClientDefaults } from '../resilience/aws.js';

/** @internal The S3 client package, loaded on first use. */
export const s3Sdk: () => Promise<typeof import('@aws-sdk/client-s3')> = lazyPeer(
  '@aws-sdk/client-s3',
  () => import('@aws-sdk/client-s3'),
  'S3',
);

let shared: Promise<S3Client> | undefined;

/**
 * The process-wide S3 client, created on first use with Lift's timeouts and deadline-bound retries.
 * Endpoint, region and credentials come from the standard environment. With a custom endpoint
 * (`AWS_ENDPOINT_URL_S3`, as `lift dev` sets for its local S3) it addresses buckets by path, since
 * `bucket.127.0.0.1` names no host.
 */
export function sharedS3Client(): Promise<S3Client> {
  if (shared !== undefined) return shared;
  const starting = s3Sdk().then(({ S3Client }) => {
    const local = (process.env.AWS_ENDPOINT_URL_S3 ?? '') !== '';
    return instrumentAwsClient(new S3Client({ ...awsClientDefaults(), forcePathStyle: local }));
  });
  // A failed start (a missing package) is not kept: the next call tries again.
  starting.catch(() => {
    if (shared === starting) shared = undefined;
  });
  shared = starting;
  return starting;
}
