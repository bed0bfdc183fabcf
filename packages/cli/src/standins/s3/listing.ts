/** The XML documents of ListObjectsV2, ListBuckets and DeleteObjects, and the listing itself. */
import { element, S3Error } from './errors.js';
import type { Query } from './query.js';
import { compareKeys, type ObjectStore } from './store.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

function param(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new S3Error('InvalidArgument', `${name} was given more than once.`);
  return value;
}

/** A continuation token: the last key (or common prefix) already returned. */
interface Position {
  readonly after: string;
  readonly prefix: boolean;
}

const encodeToken = (position: Position) => Buffer.from(JSON.stringify(position)).toString('base64url');

function decodeToken(token: string): Position {
  try {
    const position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Position;
    if (typeof position.after === 'string' && typeof position.prefix === 'boolean') return position;
  } catch {}
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
    ArgumentName: 'continuation-token',
  });
}

/** ListObjectsV2: prefix, delimiter, max-keys, start-after, continuation-token, encoding-type=url. */
export function listObjectsV2(store: ObjectStore, bucket: string, query: Query): string {
  const prefix = param(query, 'prefix') ?? '';
  const delimiter = param(query, 'delimiter') ?? '';
  const startAfter = param(query, 'start-after');
  const token = param(query, 'continuation-token');
  const rawMax = param(query, 'max-keys') ?? '1000';
  if (!/^\d+$/.test(rawMax)) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: rawMax,
    });
  }
  const maxKeys = Math.min(Number(rawMax), 1000);
  const encoding = param(query, 'encoding-type');
  if (encoding !== undefined && encoding !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
    });
  }
  const out =
    encoding === 'url' ? (s: string) => encodeURIComponent(s).replaceAll('%2F', '/') : (s: string) => s;
  const from: Position | undefined =
    token !== undefined
      ? decodeToken(token)
      : startAfter !== undefined
        ? { after: startAfter, prefix: false }
        : undefined;

  const contents: string[] = [];
  const prefixes: string[] = [];
  let last: Position | undefined;
  let truncated = false;
  for (const key of store.keys(bucket)) {
    if (!key.startsWith(prefix)) continue;
    if (from !== undefined) {
      if (from.prefix ? key.startsWith(from.after) : false) continue;
      if (compareKeys(key, from.after) <= 0) continue;
    }
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const common = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
    if (common !== undefined && last?.prefix === true && last.after === common) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(`<CommonPrefixes>${element('Prefix', out(common))}</CommonPrefixes>`);
      last = { after: common, prefix: true };
    } else {
      const object = store.get(bucket, key);
      if (object === undefined) continue;
      contents.push(
        '<Contents>' +
          element('Key', out(key)) +
          element('LastModified', new Date(object.lastModified).toISOString()) +
          element('ETag', `"${object.etag}"`) +
          element('Size', object.body.length) +
          element('StorageClass', 'STANDARD') +
          '</Contents>',
      );
      last = { after: key, prefix: false };
    }
  }
  return (
    `${HEAD}<ListBucketResult xmlns="${NS}">` +
    element('Name', bucket) +
    element('Prefix', out(prefix)) +
    (delimiter === '' ? '' : element('Delimiter', out(delimiter))) +
    element('MaxKeys', maxKeys) +
    element('KeyCount', contents.length + prefixes.length) +
    element('IsTruncated', truncated) +
    (encoding === undefined ? '' : element('EncodingType', encoding)) +
    (token === undefined ? '' : element('ContinuationToken', token)) +
    (startAfter === undefined ? '' : element('StartAfter', out(startAfter))) +
    (truncated && last !== undefined ? element('NextContinuationToken', encodeToken(last)) : '') +
    contents.join('') +
    prefixes.join('') +
    '</ListBucketResult>'
  );
}

/** ListBuckets. */
export function listBuckets(store: ObjectStore): string {
  const buckets = store
    .buckets()
    .map(
      ({ name, created }) =>
        `<Bucket>${element('Name', name)}${element('CreationDate', new Date(created).toISOString())}</Bucket>`,
    )
    .join('');
  return (
    `${HEAD}<ListAllMyBucketsResult xmlns="${NS}">` +
    `<Owner>${element('ID', 'lift-local')}${element('DisplayName', 'lift-local')}</Owner>` +
    `<Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`
  );
}

/** GetBucketLocation: empty for us-east-1, as S3 answers. */
export function bucketLocation(region: string): string {
  return `${HEAD}<LocationConstraint xmlns="${NS}">${region === 'us-east-1' ? '' : region}</LocationConstraint>`;
}

function xmlUnescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });
}

/** The keys (at most 1000) and the Quiet flag of a DeleteObjects request body. */
export function parseDelete(xml: string): { keys: string[]; quiet: boolean } {
  const malformed = () =>
    new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  if (!/<Delete[\s>]/.test(xml) || !xml.includes('</Delete>')) throw malformed();
  const keys: string[] = [];
  for (const match of xml.matchAll(/<Object>([\s\S]*?)<\/Object>/g)) {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(match[1] ?? '');
    if (key === null) throw malformed();
    keys.push(xmlUnescape(key[1] ?? ''));
  }
  if (keys.length === 0 || keys.length > 1000) throw malformed();
  return { keys, quiet: /<Quiet>\s*true\s*<\/Quiet>/i.test(xml) };
}

/** The DeleteObjects answer: every key is reported deleted (deleting a missing key succeeds). */
export function deleteResult(keys: readonly string[], quiet: boolean): string {
  const deleted = quiet ? '' : keys.map((key) => `<Deleted>${element('Key', key)}</Deleted>`).join('');
  return `${HEAD}<DeleteResult xmlns="${NS}">${deleted}</DeleteResult>`;
}

/** The answer to a POST upload with `success_action_status` 201. */
export function postResponse(location: string, bucket: string, key: string, etag: string): string {
  return (
    `${HEAD}<PostResponse>` +
    element('Location', location) +
    element('Bucket', bucket) +
    element('Key', key) +
    element('ETag', `"${etag}"`) +
    '</PostResponse>'
  );
}
