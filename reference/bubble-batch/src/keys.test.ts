import { describe, expect, it } from 'vitest';
import { neutralise } from './domain/csv.js';
import { ID_PATTERN, newId } from './keys.js';

describe('newId', () => {
  it('CSV id corruption: no new id starts with a character the CSV export would neutralise', () => {
    // 1 in 32 base64url ids starts with - or _; 5,000 draws meet one with near certainty.
    for (let i = 0; i < 5000; i++) {
      const id = newId();
      expect(id).toMatch(ID_PATTERN);
      expect(neutralise(id)).toBe(id);
      expect(id[0]).not.toBe('_');
    }
  });
});
