/**
 * Request bodies as S3 takes them: read up to a limit, `aws-chunked` bodies decoded (the SDK sends
 * one for a stream), and every digest the request carries checked against what arrived.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { crc32 } from 'node:zlib';
import { notImplemented, S3Error } from './errors.js';
import type { Authenticated } from './sigv4.js';

/** A body over the limit: S3's EntityTooLarge. */
export function entityTooLarge(size: number, limit: number): S3Error {
  return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
    ProposedSize: String(size),
    MaxSizeAllowed: String(limit),
  });
}

/** Reads the whole body, refusing it as soon as it is known to pass `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw entityTooLarge(declared, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw entityTooLarge(size, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The object data of a signed request and where its checksums are read (trailers first). */
export interface Payload {
  readonly data: Buffer;
  readonly checksum: (name: string) => string | undefined;
}

/**
 * The object data of a request, after checking it against the signed `x-amz-content-sha256` and
 * decoding an `aws-chunked` body. Checksum headers are checked by {@link verifyDigests}.
 */
export function payloadOf(body: Buffer, auth: Authenticated, headers: IncomingHttpHeaders): Payload {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const hash = auth.payloadHash;
  if (hash === 'UNSIGNED-PAYLOAD') return { data: body, checksum: header };
  if (/^[0-9a-f]{64}$/i.test(hash)) {
    const computed = createHash('sha256').update(body).digest('hex');
    if (computed !== hash.toLowerCase()) {
      throw new S3Error(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        { ClientComputedContentSHA256: hash, S3ComputedContentSHA256: computed },
      );
    }
    return { data: body, checksum: header };
  }
  if (hash === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
    const { data, trailers } = decodeAwsChunked(body);
    const declared = header('x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== data.length) {
      throw new S3Error(
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
    }
    return { data, checksum: (name) => trailers.get(name) ?? header(name) };
  }
  if (hash.startsWith('STREAMING-')) throw notImplemented(`x-amz-content-sha256: ${hash}`);
  throw new S3Error(
    'InvalidArgument',
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.',
    { ArgumentName: 'x-amz-content-sha256', ArgumentValue: hash },
  );
}

/** Decodes an unsigned `aws-chunked` body: the chunks' bytes and the trailing headers. */
export function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Map<string, string> } {
  const incomplete = () => new S3Error('IncompleteBody', 'The aws-chunked body ended before its last chunk.');
  const chunks: Buffer[] = [];
  const trailers = new Map<string, string>();
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw incomplete();
    const line = body.toString('latin1', at, eol);
    if (line.includes(';chunk-signature=')) throw notImplemented('signed aws-chunked payloads');
    if (!/^[0-9a-f]+$/i.test(line))
      throw new S3Error('InvalidRequest', 'Malformed aws-chunked chunk header.');
    const size = Number.parseInt(line, 16);
    at = eol + 2;
    if (size === 0) break;
    if (at + size + 2 > body.length) throw incomplete();
    chunks.push(body.subarray(at, at + size));
    at += size + 2;
  }
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const line = body.toString('latin1', at, eol);
    at = eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { data: Buffer.concat(chunks), trailers };
}

const DIGESTS: readonly (readonly [string, string, (data: Buffer) => Buffer])[] = [
  ['x-amz-checksum-crc32', 'CRC32', (data) => uint32(crc32(data))],
  ['x-amz-checksum-sha1', 'SHA1', (data) => createHash('sha1').update(data).digest()],
  ['x-amz-checksum-sha256', 'SHA256', (data) => createHash('sha256').update(data).digest()],
];

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/**
 * Checks `Content-MD5` and the `x-amz-checksum-*` values the request carries in its headers or
 * trailers (CRC32, SHA-1, SHA-256; CRC32C and CRC64NVME are not checked). A checksum in the query
 * string of a presigned URL is not a header and is not checked, as S3 does not check it.
 */
export function verifyDigests(payload: Payload): void {
  const md5 = payload.checksum('content-md5');
  if (md5 !== undefined) {
    const expected = Buffer.from(md5, 'base64');
    if (expected.length !== 16)
      throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.');
    if (!expected.equals(createHash('md5').update(payload.data).digest())) {
      throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
  }
  for (const [name, label, digest] of DIGESTS) {
    const value = payload.checksum(name);
    if (value !== undefined && value !== digest(payload.data).toString('base64')) {
      throw new S3Error('BadDigest', `The ${label} you specified did not match the calculated checksum.`);
    }
  }
}
