/** The S3 REST subset the stand-in serves, path-style: `/{bucket}` and `/{bucket}/{key}`. */

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { payloadOf, readBody, verifyDigests } from './body.js';
import { noSuchBucket, notImplemented, S3Error } from './errors.js';
import { getObject } from './get-object.js';
import {
  bucketLocation,
  deleteResult,
  listBuckets,
  listObjectsV2,
  parseDelete,
  postResponse,
} from './listing.js';
import { readPostUpload } from './post-object.js';
import { parseQuery, type Query } from './query.js';
import { allowOrigin, type CorsRule, methodNotAllowed, preflight, send, sendError } from './respond.js';
import type { Authenticated, Authenticator } from './sigv4.js';
import { isValidBucketName, type ObjectStore, type StoredObject } from './store.js';

/** Representation headers a PUT stores with the object. */
const STORED_HEADERS = 'cache-control content-disposition content-encoding content-language expires'.split(
  ' ',
);
/** Sub-resources this stand-in does not serve: 501 NotImplemented, rather than a wrong answer. */
const BUCKET_SUBRESOURCES = (
  'accelerate acl analytics cors encryption intelligent-tiering inventory lifecycle logging metrics ' +
  'notification object-lock ownershipControls policy policyStatus publicAccessBlock replication ' +
  'requestPayment session tagging uploads versioning versions website'
).split(' ');
const OBJECT_SUBRESOURCES = (
  'acl attributes legal-hold partNumber restore retention select tagging torrent ' +
  'uploadId uploads versionId'
).split(' ');

/** What the request handler works with. */
export interface HandlerConfig {
  readonly store: ObjectStore;
  readonly auth: Authenticator;
  readonly region: string;
  readonly maxObjectBytes: number;
  readonly cors: CorsRule | undefined;
  readonly now: () => number;
}

/** Bytes a form or an aws-chunked body may add around the object's own bytes. */
const ENVELOPE_BYTES = 1024 * 1024;

/** A Node request listener serving S3 from `config`. */
export function createS3Handler(config: HandlerConfig): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(config, req, res);
  };
}

async function handle(config: HandlerConfig, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', randomBytes(24).toString('base64'));
  res.setHeader('date', new Date(config.now()).toUTCString());
  res.setHeader('server', 'AmazonS3');
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  const rawPath = at < 0 ? url : url.slice(0, at);
  try {
    allowOrigin(config.cors, req, res);
    const query = parseQuery(at < 0 ? '' : url.slice(at + 1));
    const { bucket, key } = splitPath(rawPath);
    if (req.method === 'OPTIONS') return preflight(config.cors, req, res);
    if (
      req.method === 'POST' &&
      bucket !== undefined &&
      key === undefined &&
      Object.keys(query).length === 0
    ) {
      return await postObject(config, req, res, bucket, rawPath);
    }
    const auth = await config.auth.request({
      method: req.method ?? 'GET',
      rawPath,
      query,
      headers: req.headers,
    });
    if (bucket === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed(req);
      return send(res, 200, listBuckets(config.store));
    }
    if (key === undefined) return await bucketOperation(config, req, res, bucket, query, auth);
    return await objectOperation(config, req, res, bucket, key, query, auth);
  } catch (error) {
    sendError(req, res, error, requestId, rawPath);
  }
}

function splitPath(rawPath: string): { bucket: string | undefined; key: string | undefined } {
  try {
    const [, bucket = '', ...rest] = rawPath.split('/');
    const key = rest.join('/');
    return {
      bucket: bucket === '' ? undefined : decodeURIComponent(bucket),
      key: key === '' ? undefined : decodeURIComponent(key),
    };
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  }
}

function refuseSubresources(query: Query, names: readonly string[], what: string): void {
  const found = names.find((name) => name in query);
  if (found !== undefined) throw notImplemented(`${what} ?${found}`);
}

function requireBucket(config: HandlerConfig, bucket: string): void {
  if (!config.store.hasBucket(bucket)) throw noSuchBucket(bucket);
}

async function bucketOperation(
  config: HandlerConfig,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  query: Query,
  auth: Authenticated,
): Promise<void> {
  refuseSubresources(query, BUCKET_SUBRESOURCES, 'the bucket sub-resource');
  const { store } = config;
  switch (req.method) {
    case 'PUT': {
      if (!isValidBucketName(bucket)) {
        throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
      }
      await readBody(req, ENVELOPE_BYTES);
      if (store.hasBucket(bucket) && config.region !== 'us-east-1') {
        throw new S3Error(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          { BucketName: bucket },
        );
      }
      await store.createBucket(bucket, config.now());
      res.setHeader('location', `/${bucket}`);
      return send(res, 200);
    }
    case 'HEAD':
      requireBucket(config, bucket);
      res.setHeader('x-amz-bucket-region', config.region);
      return send(res, 200);
    case 'DELETE':
      requireBucket(config, bucket);
      if (!store.isEmpty(bucket)) {
        throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', {
          BucketName: bucket,
        });
      }
      await store.deleteBucket(bucket);
      return send(res, 204);
    case 'GET':
      requireBucket(config, bucket);
      if ('location' in query) return send(res, 200, bucketLocation(config.region));
      if (query['list-type'] === '2') return send(res, 200, listObjectsV2(store, bucket, query));
      throw notImplemented('ListObjects (version 1); use ListObjectsV2');
    case 'POST': {
      if (!('delete' in query)) throw methodNotAllowed(req);
      requireBucket(config, bucket);
      const payload = payloadOf(await readBody(req, ENVELOPE_BYTES), auth, req.headers);
      verifyDigests(payload);
      const digests = [
        'content-md5',
        'x-amz-checksum-crc32',
        'x-amz-checksum-crc32c',
        'x-amz-checksum-sha1',
        'x-amz-checksum-sha256',
        'x-amz-checksum-crc64nvme',
      ];
      if (!digests.some((name) => payload.checksum(name) !== undefined)) {
        throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
      }
      const { keys, quiet } = parseDelete(payload.data.toString('utf8'));
      for (const key of keys) await store.delete(bucket, key);
      return send(res, 200, deleteResult(keys, quiet));
    }
    default:
      throw methodNotAllowed(req);
  }
}

async function objectOperation(
  config: HandlerConfig,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  key: string,
  query: Query,
  auth: Authenticated,
): Promise<void> {
  refuseSubresources(query, OBJECT_SUBRESOURCES, 'the object sub-resource');
  requireBucket(config, bucket);
  const { store } = config;
  switch (req.method) {
    case 'PUT': {
      if (req.headers['x-amz-copy-source'] !== undefined) throw notImplemented('CopyObject');
      if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long');
      const payload = payloadOf(
        await readBody(req, config.maxObjectBytes + ENVELOPE_BYTES),
        auth,
        req.headers,
      );
      if (payload.data.length > config.maxObjectBytes) {
        throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
          ProposedSize: String(payload.data.length),
          MaxSizeAllowed: String(config.maxObjectBytes),
        });
      }
      verifyDigests(payload);
      const headers: Record<string, string> = {};
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        const text = Array.isArray(value) ? value.join(',') : (value ?? '');
        if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = text;
        else if (STORED_HEADERS.includes(name)) headers[name] = text;
      }
      const encoding = (headers['content-encoding'] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && s !== 'aws-chunked');
      if (encoding.length > 0) headers['content-encoding'] = encoding.join(',');
      else delete headers['content-encoding'];
      const object = stored(key, payload.data, req.headers['content-type'], metadata, headers, config.now());
      await store.put(bucket, object);
      res.setHeader('etag', `"${object.etag}"`);
      return send(res, 200);
    }
    case 'GET':
    case 'HEAD':
      return getObject(req, res, store.get(bucket, key), key, query);
    case 'DELETE':
      await store.delete(bucket, key);
      return send(res, 204);
    case 'POST':
      throw notImplemented('multipart upload');
    default:
      throw methodNotAllowed(req);
  }
}

function stored(
  key: string,
  data: Buffer,
  contentType: string | undefined,
  metadata: Record<string, string>,
  headers: Record<string, string>,
  now: number,
): StoredObject {
  return {
    key,
    body: data,
    etag: createHash('md5').update(data).digest('hex'),
    lastModified: now,
    contentType: contentType ?? 'binary/octet-stream',
    metadata,
    headers,
  };
}

async function postObject(
  config: HandlerConfig,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  rawPath: string,
): Promise<void> {
  requireBucket(config, bucket);
  const body = await readBody(req, config.maxObjectBytes + ENVELOPE_BYTES);
  const upload = await readPostUpload(body, req.headers['content-type'] ?? '', bucket, config.auth);
  if (upload.data.length > config.maxObjectBytes) {
    throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      ProposedSize: String(upload.data.length),
      MaxSizeAllowed: String(config.maxObjectBytes),
    });
  }
  const object = stored(
    upload.key,
    upload.data,
    upload.contentType,
    upload.metadata,
    upload.headers,
    config.now(),
  );
  await config.store.put(bucket, object);
  const location = `http://${req.headers.host ?? 'localhost'}${rawPath.replace(/\/$/, '')}/${encodeURIComponent(upload.key).replaceAll('%2F', '/')}`;
  res.setHeader('etag', `"${object.etag}"`);
  res.setHeader('location', location);
  if (upload.redirect !== undefined) {
    const target = new URL(upload.redirect);
    target.searchParams.set('bucket', bucket);
    target.searchParams.set('key', upload.key);
    target.searchParams.set('etag', `"${object.etag}"`);
    res.setHeader('location', target.toString());
    return send(res, 303);
  }
  if (upload.successStatus === 201)
    return send(res, 201, postResponse(location, bucket, upload.key, object.etag));
  return send(res, upload.successStatus);
}
