import { ConfigurationError, UnprocessableError } from '../errors/errors.js';
import { lazyPeer } from '../peer/peer.js';
import type { BucketDefinition } from './bucket.js';
import { s3Sdk, sharedS3Client } from './client.js';

const presignedPost = lazyPeer(
  '@aws-sdk/s3-presigned-post',
  () => import('@aws-sdk/s3-presigned-post'),
  'presignUpload',
);
const requestPresigner = lazyPeer(
  '@aws-sdk/s3-request-presigner',
  () => import('@aws-sdk/s3-request-presigner'),
  'presignDownload',
);

/** What {@link presignUpload} allows. */
export interface UploadPolicy {
  /** The media types a client may upload, exactly (`['image/jpeg', 'image/png']`). */
  readonly contentTypes: readonly string[];
  /** The largest upload in bytes; S3 refuses a larger one. */
  readonly maxBytes: number;
  /** How long the upload may start, in seconds (default 300, at most 3600). */
  readonly expiresInSeconds?: number;
}

/** A presigned browser-style upload: POST `url` as `multipart/form-data` with `fields`, then the file. */
export interface PresignedUpload {
  readonly method: 'POST';
  readonly url: string;
  /** Form fields to send before the file, as given (they carry the signed policy). */
  readonly fields: Readonly<Record<string, string>>;
  readonly key: string;
  readonly contentType: string;
  readonly maxBytes: number;
  /** ISO time after which S3 refuses the upload. */
  readonly expiresAt: string;
}

const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/;

function seconds(value: number | undefined, fallback: number, max: number, where: string): number {
  const s = value ?? fallback;
  if (!Number.isInteger(s) || s < 1 || s > max)
    throw new ConfigurationError(`${where}: expiresInSeconds must be an integer from 1 to ${max}`);
  return s;
}

/**
 * A presigned POST for one object, whose policy S3 itself enforces: exactly `key`, exactly the
 * declared `contentType` (which must be one of `policy.contentTypes`, else a 422 naming them), and
 * at most `policy.maxBytes`. A presigned PUT cannot bound the size, which is why this is a POST.
 */
export async function presignUpload(
  bucket: BucketDefinition,
  key: string,
  contentType: string,
  policy: UploadPolicy,
): Promise<PresignedUpload> {
  const { contentTypes, maxBytes } = policy;
  if (
    !Array.isArray(contentTypes) ||
    contentTypes.length === 0 ||
    !contentTypes.every((t) => MEDIA_TYPE.test(t))
  )
    throw new ConfigurationError('presignUpload: contentTypes must list media types such as image/jpeg');
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > 5 * 1024 ** 3)
    throw new ConfigurationError('presignUpload: maxBytes must be an integer from 1 to 5 GiB');
  const expires = seconds(policy.expiresInSeconds, 300, 3600, 'presignUpload');
  if (!contentTypes.includes(contentType))
    throw new UnprocessableError(
      [{ path: 'contentType', message: `must be one of ${contentTypes.join(', ')}` }],
      'Unsupported content type',
    );
  if (key === '' || key.length > 1024)
    throw new ConfigurationError('presignUpload: key must be 1-1024 characters');
  const [client, { createPresignedPost }] = await Promise.all([sharedS3Client(), presignedPost()]);
  const Bucket = bucket.bucketName();
  const { url, fields } = await createPresignedPost(client, {
    Bucket,
    Key: key,
    Expires: expires,
    Fields: { 'Content-Type': contentType },
    Conditions: [
      { bucket: Bucket },
      ['eq', '$key', key],
      ['eq', '$Content-Type', contentType],
      ['content-length-range', 1, maxBytes],
    ],
  });
  return {
    method: 'POST',
    url,
    fields,
    key,
    contentType,
    maxBytes,
    expiresAt: new Date(Date.now() + expires * 1000).toISOString(),
  };
}

/** Options of {@link presignDownload}. */
export interface DownloadOptions {
  /** How long the link works, in seconds (default 300, at most 7 days as S3 allows). */
  readonly expiresInSeconds?: number;
  /** Make browsers save it under this name (`Content-Disposition: attachment`). */
  readonly downloadName?: string;
}

/** A short-lived presigned GET link to one object. */
export async function presignDownload(
  bucket: BucketDefinition,
  key: string,
  options: DownloadOptions = {},
): Promise<string> {
  const expires = seconds(options.expiresInSeconds, 300, 7 * 24 * 3600, 'presignDownload');
  const [client, { GetObjectCommand }, { getSignedUrl }] = await Promise.all([
    sharedS3Client(),
    s3Sdk(),
    requestPresigner(),
  ]);
  const name = options.downloadName;
  const disposition =
    name === undefined ? undefined : `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
  return getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: bucket.bucketName(),
      Key: key,
      ...(disposition === undefined ? {} : { ResponseContentDisposition: disposition }),
    }),
    { expiresIn: expires },
  );
}
