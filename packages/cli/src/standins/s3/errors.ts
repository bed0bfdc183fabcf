/** S3's error answers: a code, an HTTP status and the XML body S3 writes for them. */

/** The HTTP status S3 answers each error code with (the codes this stand-in uses). */
const STATUS: Record<string, number> = {
  AccessDenied: 403,
  AccessForbidden: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPolicyDocument: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedPOSTRequest: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
};

/** An S3 error: thrown anywhere in a request, written as S3's `<Error>` document. */
export class S3Error extends Error {
  readonly status: number;

  constructor(
    readonly code: string,
    message: string,
    /** Further elements of the `<Error>` document, as S3 adds them (`Key`, `HeadersNotSigned`...). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'S3Error';
    this.status = STATUS[code] ?? 400;
  }
}

/** Escapes text for an XML element. */
export function xmlEscape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** `<Name>text</Name>`, escaped. */
export function element(name: string, text: string | number | boolean): string {
  return `<${name}>${xmlEscape(String(text))}</${name}>`;
}

/** S3's error document. */
export function errorXml(error: S3Error, requestId: string, resource: string): string {
  const details = Object.entries(error.details)
    .map(([name, value]) => element(name, value))
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    element('Code', error.code) +
    element('Message', error.message) +
    details +
    element('Resource', resource) +
    element('RequestId', requestId) +
    '</Error>'
  );
}

/** 403 AccessDenied, S3's answer to anything not allowed (by default `Access Denied`). */
export const accessDenied = (message = 'Access Denied', details?: Record<string, string>) =>
  new S3Error('AccessDenied', message, details);

/** 404 NoSuchBucket. */
export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });

/** 501 NotImplemented: what this stand-in does not serve, said plainly rather than answered wrongly. */
export const notImplemented = (what: string) =>
  new S3Error('NotImplemented', `${what} is not implemented by Lift's local S3 stand-in`);
