import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The captured AWS event samples kept with the tests (`packages/core/test/fixtures/aws-events`, see SOURCES.md). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../test/fixtures/aws-events/', import.meta.url));

/** Every sample file, as `folder/name.json`. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(`${FIXTURES_DIR}${d.name}`).map((f) => `${d.name}/${f}`))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** A fresh copy of one sample. */
export function loadFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}${name}`, 'utf8')) as Record<string, unknown>;
}
