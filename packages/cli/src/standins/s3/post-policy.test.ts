/**
 * Browser form uploads with the real `@aws-sdk/s3-presigned-post`: the policy's conditions are
 * enforced as S3 enforces them. Each security test is named after the attack. Also CORS for the
 * browser that sends them.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3StandIn, startS3StandIn } from './index.js';

let s3: S3StandIn;
let client: S3Client;
let clock = 0;
const MAX = 50_000;

beforeAll(async () => {
  s3 = await startS3StandIn({ buckets: ['photos'], now: () => Date.now() + clock });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
    forcePathStyle: true,
  });
});
afterAll(() => s3.close());

const xmlText = (text: string) =>
  text.replace(
    /&(quot|apos|lt|gt|amp);/g,
    (_, e: string) => ({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[e] ?? '',
  );

/** The code and message of an S3 error answer. */
async function s3Error(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = await res.text();
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '',
    message: xmlText(/<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? ''),
  };
}

/** A presigned POST for one photo of a user: images only, 1 byte to MAX, under users/{user}/. */
const photoPost = (user: string, key = `users/${user}/\${filename}`, Expires = 300) =>
  createPresignedPost(client, {
    Bucket: 'photos',
    Key: key,
    Conditions: [
      ['content-length-range', 1, MAX],
      ['starts-with', '$Content-Type', 'image/'],
    ],
    Expires,
  });

/** Sends the form as a browser does: the signed fields, then ours, the file last. */
function upload(
  post: { url: string; fields: Record<string, string> },
  file: { bytes: Uint8Array; name: string; type?: string },
  extra: Record<string, string> = {},
  override: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...post.fields, ...extra, ...override }))
    form.append(name, value);
  form.append('file', new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }), file.name);
  return fetch(post.url, { method: 'POST', body: form });
}

const read = async (Key: string) => {
  const got = await client.send(new GetObjectCommand({ Bucket: 'photos', Key }));
  return { bytes: Buffer.from((await got.Body?.transformToByteArray()) ?? []), type: got.ContentType };
};
const exists = (Key: string) =>
  read(Key).then(
    () => true,
    () => false,
  );

describe('presigned POST within its policy', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own placeholder, in a test name.
  it('stores the file under the key with ${filename}, typed by the Content-Type field', async () => {
    const photo = randomBytes(MAX);
    const post = await photoPost('alice');
    const res = await upload(post, { bytes: photo, name: 'kefir.jpg' }, { 'Content-Type': 'image/jpeg' });
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await read('users/alice/kefir.jpg')).toEqual({ bytes: photo, type: 'image/jpeg' });
  });

  it('answers 201 with a PostResponse document when success_action_status says so', async () => {
    const post = await createPresignedPost(client, {
      Bucket: 'photos',
      Key: 'users/bob/1.png',
      Conditions: [['starts-with', '$Content-Type', 'image/'], { success_action_status: '201' }],
    });
    const res = await upload(
      post,
      { bytes: new Uint8Array([1]), name: 'x.png' },
      { 'Content-Type': 'image/png', success_action_status: '201' },
    );
    expect(res.status).toBe(201);
    expect(await res.text()).toContain('<Key>users/bob/1.png</Key>');
  });
});

describe('presigned POST attacks', () => {
  it('oversize upload: a file over content-length-range is refused with 400 EntityTooLarge', async () => {
    const post = await photoPost('alice');
    const res = await upload(
      post,
      { bytes: randomBytes(MAX + 1), name: 'big.jpg' },
      { 'Content-Type': 'image/jpeg' },
    );
    expect(await s3Error(res)).toMatchObject({ status: 400, code: 'EntityTooLarge' });
    expect(await exists('users/alice/big.jpg')).toBe(false);
  });

  it('empty upload: a file under content-length-range is refused with 400 EntityTooSmall', async () => {
    const post = await photoPost('alice');
    const res = await upload(
      post,
      { bytes: new Uint8Array(0), name: 'empty.jpg' },
      { 'Content-Type': 'image/jpeg' },
    );
    expect(await s3Error(res)).toMatchObject({ status: 400, code: 'EntityTooSmall' });
  });

  it('content-type switch (stored XSS): a text/html file is refused with 403 AccessDenied', async () => {
    const post = await photoPost('alice');
    const res = await upload(
      post,
      { bytes: Buffer.from('<script>alert(1)</script>'), name: 'x.html', type: 'text/html' },
      { 'Content-Type': 'text/html' },
    );
    expect(await s3Error(res)).toMatchObject({
      status: 403,
      code: 'AccessDenied',
      message:
        'Invalid according to Policy: Policy Condition failed: ["starts-with","$Content-Type","image/"]',
    });
    expect(await exists('users/alice/x.html')).toBe(false);
  });

  it('content-type switch: leaving the Content-Type field out fails the condition (the file part type does not count)', async () => {
    const post = await photoPost('alice');
    const res = await upload(post, { bytes: Buffer.from('<html>'), name: 'y.jpg', type: 'image/jpeg' });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('key substitution (overwriting another user): a key outside the signed prefix is refused', async () => {
    const post = await photoPost('mallory');
    const res = await upload(
      post,
      { bytes: new Uint8Array([1]), name: 'x.jpg' },
      { 'Content-Type': 'image/jpeg' },
      { key: 'users/alice/kefir.jpg' },
    );
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect((await read('users/alice/kefir.jpg')).bytes.length).toBe(MAX);
  });

  it('field injection: a form field no condition covers (x-amz-meta-*, acl) is refused as an extra input field', async () => {
    const post = await photoPost('alice');
    const res = await upload(
      post,
      { bytes: new Uint8Array([1]), name: 'z.jpg' },
      { 'Content-Type': 'image/jpeg', acl: 'public-read', 'x-amz-meta-owner': 'admin' },
    );
    expect(await s3Error(res)).toMatchObject({
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Extra input fields: acl, x-amz-meta-owner',
    });
  });

  it('policy tampering: a policy rewritten to allow 1 GB no longer matches its signature', async () => {
    const post = await photoPost('alice');
    const policy = JSON.parse(Buffer.from(post.fields.Policy ?? '', 'base64').toString()) as {
      conditions: unknown[];
    };
    policy.conditions = policy.conditions.map((c) =>
      Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 1, 1e9] : c,
    );
    const res = await upload(
      post,
      { bytes: randomBytes(MAX + 1), name: 'big.jpg' },
      { 'Content-Type': 'image/jpeg' },
      { Policy: Buffer.from(JSON.stringify(policy)).toString('base64') },
    );
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('replay after expiry: an expired policy is refused with 403 Policy expired', async () => {
    const post = await photoPost('alice', 'users/alice/late.jpg', 60);
    clock = 61_000;
    try {
      const res = await upload(
        post,
        { bytes: new Uint8Array([1]), name: 'l.jpg' },
        { 'Content-Type': 'image/jpeg' },
      );
      expect(await s3Error(res)).toMatchObject({
        status: 403,
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Policy expired.',
      });
    } finally {
      clock = 0;
    }
  });

  it('anonymous upload: a form without policy and signature is refused with 403 AccessDenied', async () => {
    const form = new FormData();
    form.append('key', 'anon.jpg');
    form.append('Content-Type', 'image/jpeg');
    form.append('file', new Blob([new Uint8Array([1])]), 'anon.jpg');
    const res = await fetch(`${s3.endpoint}/photos`, { method: 'POST', body: form });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('field smuggling: fields after the file are ignored, so they cannot change the key or type', async () => {
    const post = await photoPost('alice');
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('Content-Type', 'image/png');
    form.append('file', new Blob([new Uint8Array([7])]), 'order.png');
    form.append('Content-Type', 'text/html');
    const res = await fetch(post.url, { method: 'POST', body: form });
    expect(res.status).toBe(204);
    expect((await read('users/alice/order.png')).type).toBe('image/png');
  });
});

describe('CORS for browser uploads', () => {
  it('answers the preflight of a browser upload from any origin by default', async () => {
    const res = await fetch(`${s3.endpoint}/photos/users/alice/1.jpg`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:8081',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it('refuses the preflight of an origin a restricted rule does not list', async () => {
    const restricted = await startS3StandIn({
      buckets: ['photos'],
      cors: { allowedOrigins: ['http://localhost:8081'] },
    });
    try {
      const preflight = (origin: string) =>
        fetch(`${restricted.endpoint}/photos`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const allowed = await preflight('http://localhost:8081');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:8081');
      expect(await s3Error(await preflight('https://evil.example'))).toMatchObject({
        status: 403,
        code: 'AccessForbidden',
      });
    } finally {
      await restricted.close();
    }
  });
});
