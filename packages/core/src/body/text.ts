import { BadRequestError } from '../errors/errors.js';

/**
 * Whether a string holds no lone UTF-16 surrogate, the one thing that has no UTF-8 form
 * (`String.prototype.isWellFormed`, in every Node Lift supports; ES2024, so typed here).
 */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** The 400 for text that is not UTF-8 (or, in a decoded string, not well-formed UTF-16). */
export function invalidText(): BadRequestError {
  return new BadRequestError('Request body is not valid UTF-8', { details: { reason: 'invalid_utf8' } });
}

// One strict decoder for every text body: invalid UTF-8 is an error, never U+FFFD.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes body bytes as UTF-8, refusing invalid sequences with a 400, so a client's bad bytes are
 * answered instead of stored as replacement characters.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw invalidText();
  }
}
