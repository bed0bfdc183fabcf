/**
 * `@lift/core/s3`: buckets declared once in code (`lift dev` creates them on a local S3, the CDK
 * constructs deploy them), presigned uploads whose type and size S3 enforces, and short-lived
 * presigned downloads. The AWS SDK packages are imported on first use.
 */
export { type BucketDefinition, type BucketSpec, defineBucket, isBucketDefinition } from './bucket.js';
export { sharedS3Client } from './client.js';
export {
  type DownloadOptions,
  type PresignedUpload,
  presignDownload,
  presignUpload,
  type UploadPolicy,
} from './presign.js';
