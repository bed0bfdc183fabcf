/** The export store against Lift's local S3: the CSV is written, and the link downloads it as a file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ExportStore } from './exports-store.js';
import { photosBucket } from './resources.js';
import { type S3StandIn, startS3StandIn } from './testing/local-s3.js';

let s3: S3StandIn;

beforeAll(async () => {
  s3 = await startS3StandIn({ buckets: [photosBucket.bucketName()] });
  // The shared S3 client is made on first use, from this environment.
  Object.assign(process.env, s3.env);
});
afterAll(() => s3?.close());

describe('s3ExportStore', () => {
  it('writes the CSV under exports/<user>/ and returns a short-lived link that downloads it', async () => {
    const csv = 'batch_id,batch_name\r\nabc,"a, b"\r\n';
    const url = await s3ExportStore(photosBucket).save('user-1', csv, 'bubble-batch-2026-11-23.csv');
    const link = new URL(url);
    expect(link.pathname).toMatch(
      /^\/bubble-batch-photos\/exports\/user-1\/\d{8}T\d{9}Z-[A-Za-z0-9_-]{22}\.csv$/,
    );
    expect(link.searchParams.get('X-Amz-Expires')).toBe('300');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(csv);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    // The signature covers the path: another user's export cannot be reached by editing the link.
    const edited = await fetch(url.replace('/user-1/', '/user-2/'));
    expect(edited.status).toBe(403);
  });
});
