/**
 * POST Object: a browser form upload (`@aws-sdk/s3-presigned-post`). The form is read, the policy's
 * signature is checked with the SDK signer, and the policy is enforced as S3 enforces it: its
 * expiration, each condition (`eq`, `starts-with`, `content-length-range`), and no form field that
 * no condition covers.
 */
import { ALGORITHM_IDENTIFIER } from '@smithy/signature-v4';
import { entityTooLarge } from './body.js';
import { accessDenied, S3Error } from './errors.js';
import { type Authenticator, parseAmzDate, sameSignature } from './sigv4.js';

/** What a valid form upload stores. */
export interface PostUpload {
  readonly key: string;
  readonly data: Buffer;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly successStatus: 200 | 201 | 204;
  readonly redirect: string | undefined;
}

/** Representation headers a form may set on the stored object. */
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];

/** Fields that no policy condition needs to cover. */
const exempt = (name: string) =>
  name === 'file' || name === 'policy' || name === 'x-amz-signature' || name.startsWith('x-ignore-');

const failed = (condition: unknown) =>
  accessDenied(`Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);

const badPolicy = (why: string) => new S3Error('InvalidPolicyDocument', `Invalid Policy: ${why}`);

/** Reads and checks a form upload to `bucket`; throws the S3Error S3 would answer with. */
export async function readPostUpload(
  body: Buffer,
  contentType: string,
  bucket: string,
  auth: Authenticator,
): Promise<PostUpload> {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
    });
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new S3Error(
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  }

  // Fields by lower-case name, up to the file; S3 ignores whatever follows the file.
  const fields = new Map<string, string>();
  let file: { data: Buffer; name: string } | undefined;
  for (const [name, value] of form.entries()) {
    const lower = name.toLowerCase();
    if (lower === 'file') {
      file =
        typeof value === 'string'
          ? { data: Buffer.from(value), name: '' }
          : { data: Buffer.from(await value.arrayBuffer()), name: value.name };
      break;
    }
    if (fields.has(lower)) {
      throw new S3Error('InvalidArgument', `The form field ${name} was given more than once.`, {
        ArgumentName: name,
      });
    }
    fields.set(lower, typeof value === 'string' ? value : '');
  }
  if (file === undefined) {
    throw new S3Error('InvalidArgument', 'POST requires exactly one file upload per request.', {
      ArgumentName: 'file',
      ArgumentValue: '0',
    });
  }
  const rawKey = fields.get('key');
  if (rawKey === undefined) {
    throw new S3Error(
      'InvalidArgument',
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      { ArgumentName: 'key', ArgumentValue: '' },
    );
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own placeholder, replaced by the file's name.
  const key = rawKey.replaceAll('${filename}', file.name);
  if (key === '') throw new S3Error('InvalidArgument', 'User key must have a length greater than 0.');
  if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long');

  const policy = await verifySignature(fields, auth);
  const range = checkConditions(policy, fields, bucket, key, auth.now());
  if (range !== undefined) {
    const [min, max] = range;
    if (file.data.length > max) throw entityTooLarge(file.data.length, max);
    if (file.data.length < min) {
      throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
        ProposedSize: String(file.data.length),
        MinSizeAllowed: String(min),
      });
    }
  }

  const metadata: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of fields) {
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    else if (STORED_HEADERS.includes(name)) headers[name] = value;
  }
  const status = fields.get('success_action_status');
  return {
    key,
    data: file.data,
    contentType: fields.get('content-type') ?? 'binary/octet-stream',
    metadata,
    headers,
    successStatus: status === '200' ? 200 : status === '201' ? 201 : 204,
    redirect: fields.get('success_action_redirect') ?? fields.get('redirect'),
  };
}

/** Checks the policy's SigV4 signature and returns the decoded policy. */
async function verifySignature(fields: Map<string, string>, auth: Authenticator): Promise<unknown> {
  const policy = fields.get('policy');
  if (policy === undefined) {
    if (fields.has('awsaccesskeyid') || fields.has('signature')) {
      throw new S3Error(
        'InvalidRequest',
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      );
    }
    throw accessDenied();
  }
  const missing = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'].filter(
    (name) => !fields.has(name),
  );
  if (missing.length > 0) {
    throw new S3Error('InvalidArgument', `Bucket POST must contain a field named '${missing[0]}'.`, {
      ArgumentName: missing[0] ?? '',
    });
  }
  if (fields.get('x-amz-algorithm') !== ALGORITHM_IDENTIFIER) {
    throw new S3Error('InvalidArgument', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const scope = auth.scope(fields.get('x-amz-credential') ?? '', 'InvalidArgument');
  const longDate = fields.get('x-amz-date') ?? '';
  if (parseAmzDate(longDate) === undefined || longDate.slice(0, 8) !== scope.shortDate) {
    throw new S3Error(
      'InvalidArgument',
      'X-Amz-Date must be in the ISO8601 Long Format and match the credential date.',
    );
  }
  const expected = await auth.policySignature(scope, longDate, policy);
  if (!sameSignature(fields.get('x-amz-signature') ?? '', expected)) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: scope.accessKeyId, StringToSign: policy },
    );
  }
  try {
    return JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
  } catch {
    throw badPolicy('Invalid JSON.');
  }
}

/**
 * Enforces the policy's expiration and conditions against the form. Returns the
 * `content-length-range` when the policy has one.
 */
function checkConditions(
  policy: unknown,
  fields: Map<string, string>,
  bucket: string,
  key: string,
  now: number,
): [number, number] | undefined {
  if (typeof policy !== 'object' || policy === null) throw badPolicy('Invalid JSON.');
  const { expiration, conditions } = policy as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string' || Number.isNaN(Date.parse(expiration))) {
    throw badPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (now > Date.parse(expiration)) throw accessDenied('Invalid according to Policy: Policy expired.');
  if (!Array.isArray(conditions)) throw badPolicy("Policy missing 'conditions'.");

  const fieldValue = (field: string): string =>
    field === 'bucket' ? bucket : field === 'key' ? key : (fields.get(field) ?? '');
  const covered = new Set<string>();
  let range: [number, number] | undefined;
  for (const condition of conditions as unknown[]) {
    if (Array.isArray(condition)) {
      const [operator, first, second] = condition as unknown[];
      const op = typeof operator === 'string' ? operator.toLowerCase() : '';
      if (op === 'content-length-range') {
        const min = Number(first);
        const max = Number(second);
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
          throw badPolicy(`Invalid content-length-range: ${JSON.stringify(condition)}`);
        }
        range = [min, max];
        continue;
      }
      if ((op !== 'eq' && op !== 'starts-with') || typeof first !== 'string' || typeof second !== 'string') {
        throw badPolicy(`Invalid Condition: ${JSON.stringify(condition)}`);
      }
      if (!first.startsWith('$')) throw badPolicy(`Invalid Condition: ${JSON.stringify(condition)}`);
      const field = first.slice(1).toLowerCase();
      covered.add(field);
      const value = fieldValue(field);
      if (op === 'eq' ? value !== second : !value.startsWith(second)) throw failed(condition);
    } else if (typeof condition === 'object' && condition !== null) {
      for (const [name, expected] of Object.entries(condition)) {
        if (typeof expected !== 'string') throw badPolicy(`Invalid Condition: ${JSON.stringify(condition)}`);
        const field = name.toLowerCase();
        covered.add(field);
        if (fieldValue(field) !== expected) throw failed(['eq', `$${name}`, expected]);
      }
    } else {
      throw badPolicy(`Invalid Condition: ${JSON.stringify(condition)}`);
    }
  }
  const extra = [...fields.keys()].filter((name) => !exempt(name) && !covered.has(name));
  if (extra.length > 0) {
    throw accessDenied(`Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  }
  return range;
}
