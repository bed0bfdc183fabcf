/**
 * Housekeeping, run by `scripts/cleanup.ts` (locally, or on a schedule when deployed): archive
 * batches idle for `archiveAfterDays`, delete photos older than `photoRetentionDays` (event lists
 * already stop linking them) and exports older than a day. Batches are found with a Query on GSI1
 * (`ACTIVE#<shard>`, sort key before the cutoff), never a Scan; objects by listing their prefix.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ConditionFailedError, type TableClient } from '@lift/core/dynamodb';
import { type BucketDefinition, sharedS3Client } from '@lift/core/s3';
import { PHOTO_RETENTION_DAYS } from './domain/model.js';
import { gsi, SHARDS } from './keys.js';

export interface CleanupOptions {
  readonly data: TableClient;
  readonly bucket: BucketDefinition;
  /** Default: the shared S3 client (its endpoint from `AWS_ENDPOINT_URL_S3` locally). */
  readonly s3?: S3Client;
  readonly now?: number;
  readonly archiveAfterDays?: number;
  readonly photoRetentionDays?: number;
  readonly exportRetentionHours?: number;
  /** Say what would be done, do nothing. */
  readonly dryRun?: boolean;
  readonly log?: (line: string) => void;
}

export interface CleanupReport {
  archived: number;
  photosDeleted: number;
  exportsDeleted: number;
}

const DAY = 86_400_000;

/** Archives active batches whose last event is older than the cutoff; returns how many. */
export async function archiveIdleBatches(options: CleanupOptions): Promise<number> {
  const now = options.now ?? Date.now();
  const cutoff = new Date(now - (options.archiveAfterDays ?? 90) * DAY).toISOString();
  let archived = 0;
  for (let shard = 0; shard < SHARDS; shard++) {
    for await (const batch of options.data.queryAll({
      index: 'GSI1',
      partition: gsi.active(shard),
      sortLessThan: cutoff,
    })) {
      options.log?.(`archive ${batch.SK} of ${batch.PK} (last event ${batch.lastEventAt})`);
      if (options.dryRun) {
        archived++;
        continue;
      }
      try {
        // Only if nothing happened since it was read: a new event moves lastEventAt.
        await options.data.update(
          { PK: batch.PK, SK: batch.SK },
          { status: 'archived', archivedAt: new Date(now).toISOString() },
          { ifMatches: { status: 'active', lastEventAt: batch.lastEventAt }, remove: ['GSI1PK', 'GSI1SK'] },
        );
        archived++;
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
      }
    }
  }
  return archived;
}

/** Deletes the objects under `prefix` last written before `cutoffMs`; returns how many. */
export async function deleteObjectsBefore(
  options: CleanupOptions,
  prefix: string,
  cutoffMs: number,
): Promise<number> {
  const [client, sdk] = await Promise.all([
    options.s3 === undefined ? sharedS3Client() : Promise.resolve(options.s3),
    import('@aws-sdk/client-s3'),
  ]);
  const Bucket = options.bucket.bucketName();
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new sdk.ListObjectsV2Command({
        Bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    const old = (page.Contents ?? []).filter(
      (o) => o.Key !== undefined && o.LastModified !== undefined && o.LastModified.getTime() < cutoffMs,
    );
    for (const o of old) options.log?.(`delete s3://${Bucket}/${o.Key}`);
    if (old.length > 0 && !options.dryRun)
      await client.send(
        new sdk.DeleteObjectsCommand({
          Bucket,
          Delete: { Objects: old.map((o) => ({ Key: o.Key as string })), Quiet: true },
        }),
      );
    deleted += old.length;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return deleted;
}

/** Everything: archive idle batches, delete old photos and exports. */
export async function cleanup(options: CleanupOptions): Promise<CleanupReport> {
  const now = options.now ?? Date.now();
  return {
    archived: await archiveIdleBatches({ ...options, now }),
    photosDeleted: await deleteObjectsBefore(
      options,
      'users/',
      now - (options.photoRetentionDays ?? PHOTO_RETENTION_DAYS) * DAY,
    ),
    exportsDeleted: await deleteObjectsBefore(
      options,
      'exports/',
      now - (options.exportRetentionHours ?? 24) * 3_600_000,
    ),
  };
}
