/**
 * Presigned URLs from the real `@aws-sdk/s3-request-presigner`, used with fetch as a mobile app or
 * browser uses them, and the attacks on them the stand-in refuses as S3 does. Each security test
 * is named after the attack.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3StandIn, startS3StandIn } from './index.js';

let s3: S3StandIn;
let client: S3Client;
let clock = 0;

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

/** The code and message of an S3 error answer. */
const xmlText = (text: string) =>
  text.replace(
    /&(quot|apos|lt|gt|amp);/g,
    (_, e: string) => ({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[e] ?? '',
  );

/** The code and message of an S3 error answer. */
async function s3Error(
  res: Response,
): Promise<{ status: number; code: string; message: string; body: string }> {
  const body = await res.text();
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '';
  const message = xmlText(/<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '');
  return { status: res.status, code, message, body };
}

/** A PUT URL for an image upload: the content type (and, given, the length) are signed. */
const uploadUrl = (Key: string, ContentType = 'image/jpeg', ContentLength?: number, expiresIn = 300) =>
  getSignedUrl(
    client,
    new PutObjectCommand({
      Bucket: 'photos',
      Key,
      ContentType,
      ...(ContentLength === undefined ? {} : { ContentLength }),
    }),
    { expiresIn, signableHeaders: new Set(['content-type']) },
  );

const read = async (Key: string) => {
  const got = await client.send(new GetObjectCommand({ Bucket: 'photos', Key }));
  return { bytes: Buffer.from((await got.Body?.transformToByteArray()) ?? []), type: got.ContentType };
};

const exists = (Key: string) =>
  client.send(new GetObjectCommand({ Bucket: 'photos', Key })).then(
    () => true,
    () => false,
  );

describe('presigned PUT', () => {
  it('uploads a photo with the signed content type, and it reads back byte-identical', async () => {
    const photo = randomBytes(200_000);
    const url = await uploadUrl('u/1.jpg');
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    const res = await fetch(url, { method: 'PUT', body: photo, headers: { 'content-type': 'image/jpeg' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await read('u/1.jpg')).toEqual({ bytes: photo, type: 'image/jpeg' });
  });

  it('accepts the checksum the SDK puts in the URL for an empty body (x-amz-checksum-crc32=AAAAAA==), as S3 does', async () => {
    const url = await uploadUrl('u/checksum.jpg');
    expect(new URL(url).searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    const res = await fetch(url, {
      method: 'PUT',
      body: 'not empty',
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(res.status).toBe(200);
  });

  it('content-type switch (stored XSS): a URL signed for image/jpeg refuses text/html with 403 SignatureDoesNotMatch', async () => {
    const url = await uploadUrl('u/xss.jpg');
    const res = await fetch(url, {
      method: 'PUT',
      body: '<script>alert(document.cookie)</script>',
      headers: { 'content-type': 'text/html' },
    });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await exists('u/xss.jpg')).toBe(false);
  });

  it('content-type switch: dropping the signed content type is refused too', async () => {
    const url = await uploadUrl('u/untyped.jpg');
    const res = await fetch(url, { method: 'PUT', body: new Uint8Array([1, 2, 3]) });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('(SDK default) without signableHeaders the presigner does NOT sign Content-Type, so any type is stored', async () => {
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'photos', Key: 'u/default.jpg', ContentType: 'image/jpeg' }),
      { expiresIn: 60 },
    );
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    const res = await fetch(url, { method: 'PUT', body: '<html>', headers: { 'content-type': 'text/html' } });
    expect(res.status).toBe(200);
    expect((await read('u/default.jpg')).type).toBe('text/html');
  });

  it('oversize upload: a URL signed with ContentLength refuses a body of another size', async () => {
    const url = await uploadUrl('u/sized.jpg', 'image/jpeg', 1000);
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    const big = await fetch(url, {
      method: 'PUT',
      body: randomBytes(5000),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(await s3Error(big)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    const exact = await fetch(url, {
      method: 'PUT',
      body: randomBytes(1000),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(exact.status).toBe(200);
  });

  it('key substitution: a URL signed for one key cannot write another (overwriting a photo of someone else)', async () => {
    const url = new URL(await uploadUrl('users/mallory/1.jpg'));
    url.pathname = '/photos/users/alice/1.jpg';
    const res = await fetch(url, { method: 'PUT', body: 'x', headers: { 'content-type': 'image/jpeg' } });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await exists('users/alice/1.jpg')).toBe(false);
  });

  it('forged signature: a changed X-Amz-Signature is refused', async () => {
    const url = new URL(await uploadUrl('u/forged.jpg'));
    const signature = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set(
      'X-Amz-Signature',
      `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`,
    );
    const res = await fetch(url, { method: 'PUT', body: 'x', headers: { 'content-type': 'image/jpeg' } });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('expiry extension: raising X-Amz-Expires in the URL breaks the signature', async () => {
    const url = new URL(await uploadUrl('u/extended.jpg', 'image/jpeg', undefined, 60));
    url.searchParams.set('X-Amz-Expires', '604800');
    const res = await fetch(url, { method: 'PUT', body: 'x', headers: { 'content-type': 'image/jpeg' } });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('header injection: an unsigned x-amz-* header (x-amz-acl: public-read) is refused with HeadersNotSigned', async () => {
    const url = await uploadUrl('u/injected.jpg');
    const res = await fetch(url, {
      method: 'PUT',
      body: 'x',
      headers: { 'content-type': 'image/jpeg', 'x-amz-acl': 'public-read' },
    });
    const error = await s3Error(res);
    expect(error).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(error.body).toContain('<HeadersNotSigned>x-amz-acl</HeadersNotSigned>');
  });

  it('method switch: a presigned GET cannot be used to PUT or DELETE', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'u/kept.jpg', Body: 'kept' }));
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'photos', Key: 'u/kept.jpg' }), {
      expiresIn: 60,
    });
    for (const method of ['PUT', 'DELETE']) {
      const res = await fetch(url, { method, ...(method === 'PUT' ? { body: 'replaced' } : {}) });
      expect(await s3Error(res)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    }
    expect((await read('u/kept.jpg')).bytes.toString()).toBe('kept');
  });

  it('stolen key id: a URL signed with the right key id but the wrong secret is refused', async () => {
    const thief = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: s3.credentials.accessKeyId, secretAccessKey: 'guessed' },
      forcePathStyle: true,
    });
    const url = await getSignedUrl(thief, new GetObjectCommand({ Bucket: 'photos', Key: 'u/kept.jpg' }), {
      expiresIn: 60,
    });
    expect(await s3Error(await fetch(url))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('unknown access key: refused with 403 InvalidAccessKeyId', async () => {
    const stranger = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' },
      forcePathStyle: true,
    });
    const url = await getSignedUrl(stranger, new GetObjectCommand({ Bucket: 'photos', Key: 'u/kept.jpg' }));
    expect(await s3Error(await fetch(url))).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  it('region confusion: a URL signed for another region is refused', async () => {
    const elsewhere = new S3Client({
      endpoint: s3.endpoint,
      region: 'eu-west-1',
      credentials: s3.credentials,
      forcePathStyle: true,
    });
    const url = await getSignedUrl(elsewhere, new GetObjectCommand({ Bucket: 'photos', Key: 'u/kept.jpg' }));
    expect(await s3Error(await fetch(url))).toMatchObject({
      status: 400,
      code: 'AuthorizationQueryParametersError',
    });
  });
});

describe('presigned GET', () => {
  it('reads an object until the URL expires, then 403 Request has expired (server clock moved on)', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: 'photos', Key: 'g/1.jpg', Body: 'photo', ContentType: 'image/jpeg' }),
    );
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'photos', Key: 'g/1.jpg' }), {
      expiresIn: 60,
    });
    const ok = await fetch(url);
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([
      200,
      'image/jpeg',
      'photo',
    ]);
    clock = 61_000;
    try {
      expect(await s3Error(await fetch(url))).toMatchObject({
        status: 403,
        code: 'AccessDenied',
        message: 'Request has expired',
      });
    } finally {
      clock = 0;
    }
  });

  it('replay after expiry: a URL signed in the past is refused however it is presented', async () => {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'photos', Key: 'g/1.jpg' }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 2_000),
    });
    expect(await s3Error(await fetch(url))).toMatchObject({ status: 403, message: 'Request has expired' });
  });

  it('honours the signed response-content-disposition override (a download link)', async () => {
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: 'photos',
        Key: 'g/1.jpg',
        ResponseContentDisposition: 'attachment; filename="batch.jpg"',
      }),
      { expiresIn: 60 },
    );
    const res = await fetch(url);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="batch.jpg"');
  });
});

describe('requests signed in the Authorization header', () => {
  const signer = () =>
    new SignatureV4({
      credentials: s3.credentials,
      region: s3.region,
      service: 's3',
      sha256: client.config.sha256,
      uriEscapePath: false,
    });

  it('anonymous access: an unsigned request is refused with 403 AccessDenied', async () => {
    expect(await s3Error(await fetch(`${s3.endpoint}/photos/g/1.jpg`))).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    const put = await fetch(`${s3.endpoint}/photos/anon.jpg`, { method: 'PUT', body: 'x' });
    expect(await s3Error(put)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('body tampering: a body other than the signed x-amz-content-sha256 is refused', async () => {
    const { host } = new URL(s3.endpoint);
    const signed = await signer().sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: host.split(':')[0] ?? '',
      path: '/photos/signed.jpg',
      query: {},
      headers: { host },
      body: 'the signed body',
    });
    const res = await fetch(`${s3.endpoint}/photos/signed.jpg`, {
      method: 'PUT',
      headers: signed.headers,
      body: 'a tampered body',
    });
    expect(await s3Error(res)).toMatchObject({ status: 400, code: 'XAmzContentSHA256Mismatch' });
    const honest = await fetch(`${s3.endpoint}/photos/signed.jpg`, {
      method: 'PUT',
      headers: signed.headers,
      body: 'the signed body',
    });
    expect(honest.status).toBe(200);
  });

  it('replay of a captured request long after: refused with 403 RequestTimeTooSkewed', async () => {
    const { host } = new URL(s3.endpoint);
    const signed = await signer().sign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '',
        path: '/photos/g/1.jpg',
        query: {},
        headers: { host },
      },
      { signingDate: new Date(Date.now() - 16 * 60_000) },
    );
    const res = await fetch(`${s3.endpoint}/photos/g/1.jpg`, { headers: signed.headers });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
  });
});
