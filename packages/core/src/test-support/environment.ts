import { afterEach, beforeEach } from 'vitest';

/** The variables vitest.config.ts sets so a test run is not flooded by access lines and EMF blobs. */
const QUIETING = ['POWERTOOLS_DEV', 'POWERTOOLS_LOG_LEVEL'] as const;

/**
 * For the tests of what Lambda sees (and of Powertools itself, for the golden comparisons): removes
 * the quieting variables before each test of the file and puts them back after it.
 */
export function useProductionObservability(): void {
  let saved: Partial<Record<(typeof QUIETING)[number], string>> = {};
  beforeEach(() => {
    saved = {};
    for (const name of QUIETING) {
      const value = process.env[name];
      if (value !== undefined) saved[name] = value;
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const name of QUIETING) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
