/** Reading an object: GetObject and HeadObject. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { S3Error } from './errors.js';
import type { Query } from './query.js';
import { send } from './respond.js';
import type { StoredObject } from './store.js';

/** Headers a signed GET may override with `response-{name}` query parameters. */
const OVERRIDES =
  'content-type content-language expires cache-control content-disposition content-encoding'.split(' ');

/** GetObject and HeadObject: conditional requests, one byte range, response-* overrides. */
export function getObject(
  req: IncomingMessage,
  res: ServerResponse,
  object: StoredObject | undefined,
  key: string,
  query: Query,
): void {
  if (object === undefined) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
  const etag = `"${object.etag}"`;
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.split(',').some((tag) => tag.trim() === etag)) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'If-Match',
    });
  }
  res.setHeader('etag', etag);
  res.setHeader('last-modified', new Date(object.lastModified).toUTCString());
  res.setHeader('accept-ranges', 'bytes');
  const ifNoneMatch = req.headers['if-none-match'];
  if (
    ifNoneMatch !== undefined &&
    (ifNoneMatch === '*' || ifNoneMatch.split(',').some((t) => t.trim() === etag))
  ) {
    send(res, 304);
    return;
  }
  res.setHeader('content-type', object.contentType);
  for (const [name, value] of Object.entries(object.headers)) res.setHeader(name, value);
  for (const [name, value] of Object.entries(object.metadata)) res.setHeader(`x-amz-meta-${name}`, value);
  for (const name of OVERRIDES) {
    const value = query[`response-${name}`];
    if (typeof value === 'string') res.setHeader(name, value);
  }
  const size = object.body.length;
  let body = object.body;
  let status = 200;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range !== null && (range[1] !== '' || range[2] !== '')) {
    const [start, end] =
      range[1] === ''
        ? [Math.max(0, size - Number(range[2])), size - 1]
        : [Number(range[1]), range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1)];
    if (start >= size || start > end) {
      throw new S3Error('InvalidRange', 'The requested range is not satisfiable', {
        RangeRequested: req.headers.range ?? '',
        ActualObjectSize: String(size),
      });
    }
    body = object.body.subarray(start, end + 1);
    status = 206;
    res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
  }
  res.statusCode = status;
  res.setHeader('content-length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}
