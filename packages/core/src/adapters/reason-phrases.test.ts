import { STATUS_CODES } from 'node:http';
import { describe, expect, it } from 'vitest';
import { REASON_PHRASES } from './reason-phrases.js';

describe('reason phrases', () => {
  it('name every status from 200 up as node:http does', () => {
    for (const [code, phrase] of Object.entries(STATUS_CODES)) {
      if (Number(code) >= 200) expect(REASON_PHRASES[Number(code)]).toBe(phrase);
    }
  });
});
