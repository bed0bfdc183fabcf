/**
 * Where large CSV exports go: the photos bucket, under `exports/<userId>/`, downloaded through a
 * short-lived presigned link that saves the file (`Content-Disposition: attachment`). The cleanup
 * script deletes exports older than a day.
 */
import { type BucketDefinition, presignDownload, sharedS3Client } from '@lift/core/s3';
import { newId } from './keys.js';

/** Keeps an export and hands out a link to it. */
export interface ExportStore {
  /** Stores `csv` for `userId` and returns a short-lived link that downloads it as `fileName`. */
  save(userId: string, csv: string, fileName: string): Promise<string>;
}

/** Exports in the bucket; links valid for `expiresInSeconds` (default 300). */
export function s3ExportStore(
  bucket: BucketDefinition,
  options: { expiresInSeconds?: number } = {},
): ExportStore {
  return {
    async save(userId, csv, fileName) {
      const [client, { PutObjectCommand }] = await Promise.all([
        sharedS3Client(),
        import('@aws-sdk/client-s3'),
      ]);
      const stamp = new Date().toISOString().replace(/[-:.]/g, '');
      const key = `exports/${userId}/${stamp}-${newId()}.csv`;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket.bucketName(),
          Key: key,
          Body: csv,
          ContentType: 'text/csv; charset=utf-8',
          ContentDisposition: `attachment; filename="${fileName}"`,
        }),
      );
      return presignDownload(bucket, key, {
        expiresInSeconds: options.expiresInSeconds ?? 300,
        downloadName: fileName,
      });
    },
  };
}
