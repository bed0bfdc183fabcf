/**
 * Signature Version 4 verification, as S3 does it: the Authorization header of SDK calls, the query
 * string of presigned URLs, and the signature of a POST policy. Signatures are recomputed with the
 * AWS SDK's own `@smithy/signature-v4` (canonical request, string to sign, signing key), never with
 * crypto of our own; only the final comparison is ours, and it is constant-time.
 */
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ALGORITHM_IDENTIFIER, getCanonicalHeaders, SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HeaderBag, HttpRequest, SourceData } from '@smithy/types';
import { accessDenied, S3Error } from './errors.js';
import type { Query } from './query.js';

/** An access key pair the stand-in accepts. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** How a request proved who sent it. */
export interface Authenticated {
  readonly accessKeyId: string;
  readonly mode: 'header' | 'presigned';
  /** The signed `x-amz-content-sha256`: a hex digest, `UNSIGNED-PAYLOAD` or a streaming mode. */
  readonly payloadHash: string;
}

/** The parts of a request the signature covers. */
export interface SignedRequestParts {
  readonly method: string;
  /** The path exactly as sent (still percent-encoded): S3 signs it without encoding it again. */
  readonly rawPath: string;
  readonly query: Query;
  readonly headers: IncomingHttpHeaders;
}

const MAX_SKEW_MS = 15 * 60_000;
const MAX_EXPIRES_S = 604_800;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape the SDK signer takes. */
class Sha256 implements Checksum {
  readonly #secret: Buffer | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : toBuffer(secret);
    this.#hash = this.#fresh();
  }
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The SDK signer, with its canonical-request steps opened up for verification. */
class Verifier extends SignatureV4 {
  constructor(credentials: S3Credentials, region: string) {
    super({ credentials, region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  }

  async requestSignature(
    request: HttpRequest,
    headers: HeaderBag,
    payloadHash: string,
    longDate: string,
    scope: string,
  ): Promise<{ signature: string; canonicalRequest: string; stringToSign: string }> {
    const canonicalRequest = this.createCanonicalRequest(request, headers, payloadHash);
    const stringToSign = await this.createStringToSign(
      longDate,
      scope,
      canonicalRequest,
      ALGORITHM_IDENTIFIER,
    );
    const signature = await this.sign(stringToSign, { signingDate: dateOf(longDate), signingService: 's3' });
    return { signature, canonicalRequest, stringToSign };
  }
}

/** The X-Amz-Date form, `yyyyMMddTHHmmssZ`, as a Date; undefined when it is not that form. */
export function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function dateOf(longDate: string): Date {
  return parseAmzDate(longDate) ?? new Date(Number.NaN);
}

function longDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Equal strings, compared in constant time. */
export function sameSignature(provided: string, expected: string): boolean {
  const a = Buffer.from(provided);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A validated credential scope and the signer of its key. */
export interface Scope {
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly scope: string;
  readonly verifier: Verifier;
}

/** Verifies requests against the stand-in's key pairs, region and clock. */
export class Authenticator {
  readonly #verifiers = new Map<string, Verifier>();

  constructor(
    credentials: readonly S3Credentials[],
    readonly region: string,
    readonly now: () => number,
  ) {
    for (const pair of credentials) this.#verifiers.set(pair.accessKeyId, new Verifier(pair, region));
  }

  /**
   * Reads `AKID/yyyyMMdd/region/s3/aws4_request`: its form, the region, the service and the key
   * are checked as S3 checks them. `code` is the error code of a malformed value.
   */
  scope(credential: string, code: string, parameter = 'X-Amz-Credential'): Scope {
    const parts = credential.split('/');
    const [accessKeyId = '', shortDate = '', region = '', service = '', terminator = ''] = parts;
    const prefix = `Error parsing the ${parameter} parameter; `;
    if (parts.length !== 5 || terminator !== 'aws4_request' || !/^\d{8}$/.test(shortDate)) {
      throw new S3Error(
        code,
        `${prefix}the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
      );
    }
    if (region !== this.region) {
      throw new S3Error(code, `${prefix}the region '${region}' is wrong; expecting '${this.region}'`, {
        Region: this.region,
      });
    }
    if (service !== 's3') {
      throw new S3Error(code, `${prefix}incorrect service "${service}". This endpoint belongs to "s3".`);
    }
    const verifier = this.#verifiers.get(accessKeyId);
    if (verifier === undefined) {
      throw new S3Error(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        {
          AWSAccessKeyId: accessKeyId,
        },
      );
    }
    return { accessKeyId, shortDate, scope: parts.slice(1).join('/'), verifier };
  }

  /** Verifies a request signed in its Authorization header or presigned in its query string. */
  async request(parts: SignedRequestParts): Promise<Authenticated> {
    const byHeader = parts.headers.authorization !== undefined;
    const byQuery = 'X-Amz-Algorithm' in parts.query;
    if (byHeader && byQuery) {
      throw new S3Error(
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      );
    }
    if (byHeader) return this.#header(parts);
    if (byQuery) return this.#presigned(parts);
    if ('Signature' in parts.query || 'AWSAccessKeyId' in parts.query) throw unsupportedMechanism();
    throw accessDenied();
  }

  /** The signature a POST policy must carry, for the key and date of its credential. */
  async policySignature(scope: Scope, longDate: string, policy: string): Promise<string> {
    return scope.verifier.sign(policy, { signingDate: dateOf(longDate), signingService: 's3' });
  }

  async #header(parts: SignedRequestParts): Promise<Authenticated> {
    const authorization = single(parts.headers.authorization);
    const malformed = (message: string) => new S3Error('AuthorizationHeaderMalformed', message);
    if (!authorization.startsWith(`${ALGORITHM_IDENTIFIER} `)) {
      if (/^AWS /.test(authorization)) throw unsupportedMechanism();
      throw malformed('The authorization header is malformed; the type must be AWS4-HMAC-SHA256.');
    }
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM_IDENTIFIER.length + 1).split(',')) {
      const at = part.indexOf('=');
      if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (credential === undefined || signedHeaders === undefined || signature === undefined) {
      throw malformed(
        'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
      );
    }
    const scope = this.scope(credential, 'AuthorizationHeaderMalformed', 'Credential');
    const amzDate = parts.headers['x-amz-date'];
    const date = amzDate !== undefined ? parseAmzDate(single(amzDate)) : httpDate(parts.headers.date);
    if (date === undefined)
      throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
    const longDate = longDateOf(date);
    if (longDate.slice(0, 8) !== scope.shortDate) {
      throw malformed('Invalid credential date. Date is not the same as X-Amz-Date.');
    }
    const now = this.now();
    if (Math.abs(now - date.getTime()) > MAX_SKEW_MS) {
      throw new S3Error(
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        {
          RequestTime: longDate,
          ServerTime: new Date(now).toISOString(),
          MaxAllowedSkewMilliseconds: '900000',
        },
      );
    }
    const payloadHash = parts.headers['x-amz-content-sha256'];
    if (payloadHash === undefined) {
      throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    }
    const names = signedHeaderNames(signedHeaders, malformed);
    await this.#verify(parts, scope, names, single(payloadHash), longDate, signature);
    return { accessKeyId: scope.accessKeyId, mode: 'header', payloadHash: single(payloadHash) };
  }

  async #presigned(parts: SignedRequestParts): Promise<Authenticated> {
    const error = (message: string) => new S3Error('AuthorizationQueryParametersError', message);
    const param = (name: string): string => {
      const value = parts.query[name];
      if (value === undefined) {
        throw error(
          'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
        );
      }
      if (Array.isArray(value)) throw error(`${name} must be given once.`);
      return value;
    };
    if (param('X-Amz-Algorithm') !== ALGORITHM_IDENTIFIER) {
      throw error('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    }
    const [credential, longDate, expires, signedHeaders, signature] = [
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-SignedHeaders',
      'X-Amz-Signature',
    ].map(param) as [string, string, string, string, string];
    const scope = this.scope(credential, 'AuthorizationQueryParametersError');
    const date = parseAmzDate(longDate);
    if (date === undefined) {
      throw error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    }
    if (longDate.slice(0, 8) !== scope.shortDate) {
      throw error(`Invalid credential date "${scope.shortDate}". This date is not the same as X-Amz-Date.`);
    }
    if (!/^\d+$/.test(expires) || Number(expires) > MAX_EXPIRES_S) {
      throw error(
        'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
      );
    }
    const now = this.now();
    const expiresAt = date.getTime() + Number(expires) * 1000;
    if (now > expiresAt) {
      throw accessDenied('Request has expired', {
        'X-Amz-Expires': expires,
        Expires: new Date(expiresAt).toISOString(),
        ServerTime: new Date(now).toISOString(),
      });
    }
    if (date.getTime() - now > MAX_SKEW_MS) throw accessDenied('Request is not yet valid');
    const names = signedHeaderNames(signedHeaders, error);
    const payloadHash = parts.query['X-Amz-Content-Sha256'];
    const hash = typeof payloadHash === 'string' ? payloadHash : 'UNSIGNED-PAYLOAD';
    await this.#verify(parts, scope, names, hash, longDate, signature);
    return { accessKeyId: scope.accessKeyId, mode: 'presigned', payloadHash: hash };
  }

  async #verify(
    parts: SignedRequestParts,
    scope: Scope,
    signedNames: readonly string[],
    payloadHash: string,
    longDate: string,
    provided: string,
  ): Promise<void> {
    const signed = new Set(signedNames);
    const unsigned = Object.keys(parts.headers).filter(
      (name) => name.startsWith('x-amz-') && !signed.has(name),
    );
    if (unsigned.length > 0) {
      throw accessDenied('There were headers present in the request which were not signed', {
        HeadersNotSigned: unsigned.join(', '),
      });
    }
    const picked: HeaderBag = Object.create(null);
    for (const name of signedNames) {
      const value = parts.headers[name];
      if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const request: HttpRequest = {
      method: parts.method,
      protocol: 'http:',
      hostname: '',
      path: parts.rawPath,
      query: parts.query,
      headers: picked,
    };
    const canonicalHeaders = getCanonicalHeaders(request, undefined, signed);
    const expected = await scope.verifier.requestSignature(
      request,
      canonicalHeaders,
      payloadHash,
      longDate,
      scope.scope,
    );
    if (!sameSignature(provided, expected.signature)) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        {
          AWSAccessKeyId: scope.accessKeyId,
          StringToSign: expected.stringToSign,
          CanonicalRequest: expected.canonicalRequest,
        },
      );
    }
  }
}

function signedHeaderNames(list: string, error: (message: string) => S3Error): string[] {
  const names = list.split(';');
  if (!names.includes('host') || names.some((name) => name !== name.toLowerCase() || name === '')) {
    throw error('SignedHeaders must be lower-case header names separated by ";" and include host.');
  }
  return names;
}

function unsupportedMechanism(): S3Error {
  return new S3Error(
    'InvalidRequest',
    'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  );
}

function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function httpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
