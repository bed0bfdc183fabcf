/** The S3 stand-in through the real AWS SDK v3 client: buckets, objects, listing, persistence. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type S3StandIn, startS3StandIn } from './index.js';

let s3: S3StandIn;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3StandIn({ buckets: ['photos', 'batches'] });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
    forcePathStyle: true,
  });
});
afterAll(() => s3.close());

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const put = (Key: string, Body: string | Uint8Array = 'x', Bucket = 'photos') =>
  client.send(new PutObjectCommand({ Bucket, Key, Body }));

describe('buckets', () => {
  it('creates the buckets it was started with', async () => {
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toEqual(['batches', 'photos']);
    await client.send(new HeadBucketCommand({ Bucket: 'photos' }));
  });

  it('creates, heads and deletes a bucket; refuses to delete one that is not empty', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'scratch-bucket' }));
    await client.send(new HeadBucketCommand({ Bucket: 'scratch-bucket' }));
    await put('a', 'x', 'scratch-bucket');
    await expect(client.send(new DeleteBucketCommand({ Bucket: 'scratch-bucket' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
      $metadata: { httpStatusCode: 409 },
    });
    await client.send(new DeleteObjectCommand({ Bucket: 'scratch-bucket', Key: 'a' }));
    await client.send(new DeleteBucketCommand({ Bucket: 'scratch-bucket' }));
    await expect(client.send(new HeadBucketCommand({ Bucket: 'scratch-bucket' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses an invalid bucket name and answers NoSuchBucket for a missing one', async () => {
    await expect(client.send(new CreateBucketCommand({ Bucket: 'Not_Valid' }))).rejects.toMatchObject({
      name: 'InvalidBucketName',
    });
    await expect(put('a', 'x', 'no-such-bucket')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('refuses invalid bucket names at start', async () => {
    await expect(startS3StandIn({ buckets: ['UPPER'] })).rejects.toThrow(/not valid S3 bucket names: UPPER/);
  });
});

describe('objects', () => {
  it('puts, gets and heads an object byte for byte, with its content type and metadata', async () => {
    const photo = randomBytes(70_000);
    const out = await client.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'batches/b1/first photo+1.jpg',
        Body: photo,
        ContentType: 'image/jpeg',
        CacheControl: 'max-age=60',
        Metadata: { batch: 'b1' },
      }),
    );
    expect(out.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await client.send(
      new GetObjectCommand({ Bucket: 'photos', Key: 'batches/b1/first photo+1.jpg' }),
    );
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(photo);
    expect(got).toMatchObject({
      ContentType: 'image/jpeg',
      ContentLength: photo.length,
      CacheControl: 'max-age=60',
      Metadata: { batch: 'b1' },
      ETag: out.ETag,
    });
    const head = await client.send(
      new HeadObjectCommand({ Bucket: 'photos', Key: 'batches/b1/first photo+1.jpg' }),
    );
    expect(head.ContentLength).toBe(photo.length);
  });

  it('takes a streamed body (aws-chunked with a CRC32 trailer, as the SDK sends streams)', async () => {
    const parts = [randomBytes(10_000), randomBytes(5)];
    await client.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'streamed',
        Body: Readable.from(parts),
        ContentLength: 10_005,
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'streamed' }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(Buffer.concat(parts));
  });

  it('serves a byte range', async () => {
    await put('range.txt', '0123456789');
    const got = await client.send(
      new GetObjectCommand({ Bucket: 'photos', Key: 'range.txt', Range: 'bytes=2-4' }),
    );
    expect(await got.Body?.transformToString()).toBe('234');
    expect(got.ContentRange).toBe('bytes 2-4/10');
  });

  it('answers NoSuchKey for GetObject and 404 NotFound for HeadObject of a missing key', async () => {
    const error = await client
      .send(new GetObjectCommand({ Bucket: 'photos', Key: 'missing' }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(NoSuchKey);
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'missing' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('deletes one object, and many with DeleteObjects (keys that need XML escaping included)', async () => {
    for (const key of ['d/1', 'd/2 & <3>', 'd/3']) await put(key);
    await client.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'd/1' }));
    const out = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'photos',
        Delete: { Objects: [{ Key: 'd/2 & <3>' }, { Key: 'd/3' }, { Key: 'never-existed' }] },
      }),
    );
    expect(out.Deleted?.map((d) => d.Key)).toEqual(['d/2 & <3>', 'd/3', 'never-existed']);
    const list = await client.send(new ListObjectsV2Command({ Bucket: 'photos', Prefix: 'd/' }));
    expect(list.KeyCount).toBe(0);
  });
});

describe('ListObjectsV2', () => {
  beforeAll(async () => {
    for (const key of ['l/a.jpg', 'l/b.jpg', 'l/c/1.jpg', 'l/c/2.jpg', 'l/d.jpg', 'l/e/1.jpg']) {
      await put(key, 'x', 'batches');
    }
  });

  it('lists by prefix in key order', async () => {
    const out = await client.send(new ListObjectsV2Command({ Bucket: 'batches', Prefix: 'l/c/' }));
    expect(out.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      ['l/c/1.jpg', 1],
      ['l/c/2.jpg', 1],
    ]);
  });

  it('groups by delimiter into common prefixes', async () => {
    const out = await client.send(
      new ListObjectsV2Command({ Bucket: 'batches', Prefix: 'l/', Delimiter: '/' }),
    );
    expect(out.Contents?.map((o) => o.Key)).toEqual(['l/a.jpg', 'l/b.jpg', 'l/d.jpg']);
    expect(out.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['l/c/', 'l/e/']);
  });

  it('pages with MaxKeys and continuation tokens, a common prefix counting once', async () => {
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new ListObjectsV2Command({
          Bucket: 'batches',
          Prefix: 'l/',
          Delimiter: '/',
          MaxKeys: 2,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      pages.push([
        ...(out.Contents ?? []).map((o) => o.Key ?? ''),
        ...(out.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
      ]);
      token = out.NextContinuationToken;
      expect(out.IsTruncated).toBe(token !== undefined);
    } while (token !== undefined);
    expect(pages).toEqual([['l/a.jpg', 'l/b.jpg'], ['l/d.jpg', 'l/c/'], ['l/e/']]);
  });

  it('starts after a key', async () => {
    const out = await client.send(
      new ListObjectsV2Command({ Bucket: 'batches', Prefix: 'l/', StartAfter: 'l/c/2.jpg' }),
    );
    expect(out.Contents?.map((o) => o.Key)).toEqual(['l/d.jpg', 'l/e/1.jpg']);
  });
});

describe('pointing a client at it', () => {
  it('needs only the environment: AWS_ENDPOINT_URL_S3 and the keys (an IP endpoint is path-style)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, s3.env);
    try {
      const fromEnv = new S3Client({});
      await fromEnv.send(new PutObjectCommand({ Bucket: 'photos', Key: 'env', Body: 'from env' }));
      const got = await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'env' }));
      expect(await got.Body?.transformToString()).toBe('from env');
    } finally {
      for (const name of Object.keys(s3.env)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});

describe('persistence', () => {
  it('keeps buckets and objects in dir across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lift-s3-'));
    dirs.push(dir);
    const first = await startS3StandIn({ buckets: ['photos'], dir });
    const one = new S3Client({
      endpoint: first.endpoint,
      region: first.region,
      credentials: first.credentials,
    });
    await one.send(new CreateBucketCommand({ Bucket: 'made-later' }));
    await one.send(
      new PutObjectCommand({ Bucket: 'photos', Key: 'kept.jpg', Body: 'kept', ContentType: 'image/jpeg' }),
    );
    await first.close();

    const second = await startS3StandIn({ buckets: ['photos'], dir });
    const two = new S3Client({
      endpoint: second.endpoint,
      region: second.region,
      credentials: second.credentials,
    });
    const got = await two.send(new GetObjectCommand({ Bucket: 'photos', Key: 'kept.jpg' }));
    expect([await got.Body?.transformToString(), got.ContentType]).toEqual(['kept', 'image/jpeg']);
    await two.send(new HeadBucketCommand({ Bucket: 'made-later' }));
    await second.close();
  });

  it('path traversal: a key with ../ segments stays inside the data dir', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lift-s3-'));
    dirs.push(root);
    const dir = join(root, 'data');
    const standIn = await startS3StandIn({ buckets: ['photos'], dir });
    const c = new S3Client({
      endpoint: standIn.endpoint,
      region: standIn.region,
      credentials: standIn.credentials,
    });
    await c.send(new PutObjectCommand({ Bucket: 'photos', Key: '../../../escaped', Body: 'x' }));
    await standIn.close();
    expect(readdirSync(root)).toEqual(['data']);
    expect(existsSync(join(root, 'escaped'))).toBe(false);
  });
});

describe('not implemented', () => {
  it('answers 501 NotImplemented for what it does not serve, rather than pretending', async () => {
    const error = await client
      .send(new CopyObjectCommand({ Bucket: 'photos', Key: 'copy', CopySource: 'photos/range.txt' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
  });
});
