import { BadRequestError } from '../errors/errors.js';
import { invalidText, isWellFormed } from './text.js';

// Keys that reach an object's prototype when a parsed body is later merged or assigned.
function isForbidden(key: string, value: unknown): boolean {
  if (key === '__proto__') return true;
  return key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value;
}

function assertSafe(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    // `"\ud800"` is valid JSON but no text: stored as UTF-8 it would become U+FFFD.
    if (typeof node === 'string' && !isWellFormed(node)) throw invalidText();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (!isWellFormed(key)) throw invalidText();
      const child = (node as Record<string, unknown>)[key];
      if (isForbidden(key, child)) {
        throw new BadRequestError(`JSON body contains the forbidden key "${key}"`, {
          details: { reason: 'prototype_pollution' },
        });
      }
      stack.push(child);
    }
  }
}

/** How deep a JSON body may nest: far beyond any API's data, well within what validators and
 * `JSON.stringify` can recurse through (tens of thousands of levels overflow their stacks). */
export const MAX_JSON_DEPTH = 256;

/**
 * One pass over the text, counting brackets and object members (`:` outside strings): refuses JSON
 * nested deeper than {@link MAX_JSON_DEPTH}, and answers how many members the objects hold as sent.
 */
function scan(text: string): number {
  let depth = 0;
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Strings are most of a body's bytes: jump to each quote (a native search) and take the first
      // one not escaped, i.e. preceded by an even run of backslashes.
      let end = text.indexOf('"', i + 1);
      while (end !== -1) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 92 /* \ */) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) return members; // unterminated: JSON.parse refuses it
      i = end;
    } else if (c === 58 /* : */) members++;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_JSON_DEPTH)
        throw new BadRequestError(`JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`, {
          details: { reason: 'too_deep' },
        });
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return members;
}

/** How many own keys the objects of a parsed value hold, all levels together. */
function keyCount(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    for (const key in node) {
      keys++;
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return keys;
}

// Only texts that could spell a dangerous key (directly or through \u escapes) pay for the walk.
// Three native substring searches: a regular expression of the alternatives tries each at every
// position, about ten times the instructions on a typical body.
function suspicious(text: string): boolean {
  return text.includes('proto') || text.includes('constructor') || text.includes('\\u');
}

/**
 * `JSON.parse` that rejects prototype-pollution payloads (`__proto__`, `constructor.prototype`,
 * also when spelled with `\u` escapes), lone surrogates written as `\u` escapes, a key repeated in
 * one object, nesting deeper than {@link MAX_JSON_DEPTH} and malformed JSON, each with a 400.
 */
export function parseJsonSafely(text: string): unknown {
  const members = scan(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError('Malformed JSON body');
  }
  // A key sent twice in one object is ambiguous (parsers disagree on which one wins, so a check
  // and a handler could read different values): fewer keys parsed than members sent means one was.
  if (members !== 0 && keyCount(value) !== members)
    throw new BadRequestError('JSON body repeats a key in one object', {
      details: { reason: 'duplicate_key' },
    });
  if (suspicious(text)) assertSafe(value);
  return value;
}
