import { collapseValues, parseQueryString } from '../adapters/shared.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/errors.js';
import { parseJsonSafely } from './json.js';

/** The default limit on a decoded request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Size of the body once decoded, computed without decoding: base64 length gives the byte count
 * exactly, so an oversized base64 body is refused before any buffer is allocated.
 */
export function decodedSize(text: string, base64: boolean): number {
  if (base64) {
    let padding = 0;
    if (text.endsWith('==')) padding = 2;
    else if (text.endsWith('=')) padding = 1;
    return Math.floor((text.length * 3) / 4) - padding;
  }
  return Buffer.byteLength(text, 'utf8');
}

/** Decodes the event body into bytes, enforcing `limit` on the decoded size (413 past it). */
export function readBody(text: string | undefined, base64: boolean, limit: number): Buffer {
  if (text === undefined || text === '') return Buffer.alloc(0);
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short text needs no exact count.
  const size = base64 || text.length * 3 > limit ? decodedSize(text, base64) : text.length;
  if (size > limit) throw new PayloadTooLargeError(limit);
  const bytes = Buffer.from(text, base64 ? 'base64' : 'utf8');
  // Non-canonical base64 can decode longer than its estimate; check what was actually produced.
  if (bytes.length > limit) throw new PayloadTooLargeError(limit);
  return bytes;
}

/** The media type of a `Content-Type` header, lower-cased and without parameters. */
export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * Parses a body by its content type: JSON (`application/json`, `*+json`) → value; form → record;
 * `text/*` → string; `application/octet-stream` → bytes. An empty body is `undefined`.
 * Any other type, or a body without a content type, is a 415.
 */
export function parseBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return undefined;
  const type = mediaType(contentType);
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) {
    return parseJsonSafely(bytes.toString('utf8'));
  }
  if (type === 'application/x-www-form-urlencoded')
    return collapseValues(parseQueryString(bytes.toString('utf8')));
  if (type.startsWith('text/')) return bytes.toString('utf8');
  if (type === 'application/octet-stream')
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  throw new UnsupportedMediaTypeError(
    type === '' ? 'A request body needs a Content-Type header' : `Content-Type ${type} is not supported`,
  );
}
