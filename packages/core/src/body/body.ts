import { collapseValues, parseQueryString } from '../adapters/shared.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/errors.js';
import { parseJsonSafely } from './json.js';
import { decodeUtf8, invalidText, isWellFormed } from './text.js';

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

/**
 * Decodes the event body into bytes, enforcing `limit` on the decoded size (413 past it). A text
 * body holding a lone surrogate is refused (400): it has no UTF-8 form, and encoding it anyway
 * would store U+FFFD in place of what the client sent.
 */
export function readBody(text: string | undefined, base64: boolean, limit: number): Buffer {
  if (text === undefined || text === '') return Buffer.alloc(0);
  // Buffer.from would turn a lone surrogate into U+FFFD: refuse it instead.
  if (!base64 && !isWellFormed(text)) throw invalidText();
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

/** Whether a media type is JSON: `application/json` or `application/*+json`. */
function isJsonType(type: string): boolean {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Which kind of data {@link parseBody} turns a `Content-Type` into: `json`, `form`, or `undefined`
 * for text, bytes and unsupported types. Access control reads only such bodies.
 */
export function structuredKind(contentType: string | undefined): 'json' | 'form' | undefined {
  const type = mediaType(contentType);
  if (isJsonType(type)) return 'json';
  return type === 'application/x-www-form-urlencoded' ? 'form' : undefined;
}

/**
 * Parses a body by its content type: JSON (`application/json`, `*+json`) → value; form → record;
 * `text/*` → string; `application/octet-stream` → bytes. An empty body is `undefined`. Text is
 * decoded strictly: invalid UTF-8 is a 400, never replacement characters.
 * Any other type, or a body without a content type, is a 415.
 */
export function parseBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return undefined;
  const type = mediaType(contentType);
  if (isJsonType(type)) return parseJsonSafely(decodeUtf8(bytes));
  if (type === 'application/x-www-form-urlencoded')
    return collapseValues(parseQueryString(decodeUtf8(bytes)));
  if (type.startsWith('text/')) return decodeUtf8(bytes);
  if (type === 'application/octet-stream')
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  throw new UnsupportedMediaTypeError(
    type === '' ? 'A request body needs a Content-Type header' : `Content-Type ${type} is not supported`,
  );
}
