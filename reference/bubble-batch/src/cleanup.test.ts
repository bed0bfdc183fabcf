/** Cleanup: idle batches archived through the active index, old photos and exports deleted (s3rver). */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from './cleanup.js';
import { batchItem } from './items.js';
import { photosBucket } from './resources.js';
import { type Harness, startHarness } from './testing/harness.js';
import { type S3StandIn, startS3StandIn } from './testing/local-s3.js';

let h: Harness;
let s3server: S3StandIn;
let s3: S3Client;
const DAY = 86_400_000;
const now = Date.parse('2026-11-23T10:00:00.000Z');

beforeAll(async () => {
  h = await startHarness();
  s3server = await startS3StandIn({ buckets: [photosBucket.bucketName()] });
  s3 = new S3Client({
    endpoint: s3server.endpoint,
    region: s3server.region,
    credentials: s3server.credentials,
  });
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await s3server?.close();
  await h?.close();
});

describe('cleanup', () => {
  it('archives batches idle for 90 days, leaves recent ones, and takes them out of the active index', async () => {
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    const idle = batchItem(
      'cleaner',
      { name: 'idle', type: 'milk-kefir', public: false, startedAt: at(120) },
      now,
    );
    const recent = batchItem(
      'cleaner',
      { name: 'recent', type: 'milk-kefir', public: false, startedAt: at(10) },
      now,
    );
    await h.data.batchWrite({ puts: [idle, recent] });
    const dry = await cleanup({ data: h.data, bucket: photosBucket, s3, now, dryRun: true });
    expect(dry.archived).toBe(1);
    expect(await h.data.get({ PK: idle.PK, SK: idle.SK })).toMatchObject({ status: 'active' });

    const report = await cleanup({ data: h.data, bucket: photosBucket, s3, now });
    expect(report.archived).toBe(1);
    const archived = await h.data.get({ PK: idle.PK, SK: idle.SK });
    expect(archived).toMatchObject({ status: 'archived', archivedAt: new Date(now).toISOString() });
    expect(archived).not.toHaveProperty('GSI1PK');
    expect(await h.data.get({ PK: recent.PK, SK: recent.SK })).toMatchObject({ status: 'active' });
    expect((await cleanup({ data: h.data, bucket: photosBucket, s3, now })).archived).toBe(0);
  });

  it('deletes photos past their retention and exports past a day, nothing else', async () => {
    const Bucket = photosBucket.bucketName();
    for (const Key of ['users/u/batches/b/photos/e.jpg', 'exports/u/x.csv', 'other/keep.txt'])
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }));
    // Objects were written just now: as seen from 2 days ahead only the export is old, from 400 both.
    const soon = await cleanup({ data: h.data, bucket: photosBucket, s3, now: Date.now() + 2 * DAY });
    expect(soon).toMatchObject({ photosDeleted: 0, exportsDeleted: 1 });
    const late = await cleanup({ data: h.data, bucket: photosBucket, s3, now: Date.now() + 400 * DAY });
    expect(late).toMatchObject({ photosDeleted: 1, exportsDeleted: 0 });
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const left = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(left.Contents?.map((o) => o.Key)).toEqual(['other/keep.txt']);
  });
});
