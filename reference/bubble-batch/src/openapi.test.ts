/**
 * The committed openapi.json is the document the app generates: valid OpenAPI 3.1, and never out of
 * date. When it drifts, the failure says whether the change breaks clients, and how to regenerate.
 */
import { readFileSync } from 'node:fs';
import { type OpenApiWarning, openApiChanges, openApiJson } from '@lift/core/openapi';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { bubbleBatchDocument, OPENAPI_FILE, REGENERATE } from './testing/openapi.js';

describe('openapi.json', () => {
  const warnings: OpenApiWarning[] = [];
  const generated = bubbleBatchDocument((w) => warnings.push(w));

  it('is valid OpenAPI 3.1, with every schema stated exactly', async () => {
    const result = await new Validator().validate(JSON.parse(openApiJson(generated)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('is the document the app generates (npm run openapi writes it)', () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    if (committed === openApiJson(generated)) return;
    const { breaking, additive } = openApiChanges(JSON.parse(committed), generated);
    const list = (items: readonly string[]) => items.map((line) => `  - ${line}`).join('\n');
    expect.fail(
      [
        `reference/bubble-batch/openapi.json is out of date: the routes changed ${
          breaking.length > 0 ? 'in a BREAKING way' : 'in an additive way only'
        }.`,
        ...(breaking.length > 0
          ? ['Breaking (clients written against the committed document may fail):', list(breaking)]
          : []),
        ...(additive.length > 0 ? ['Additive:', list(additive)] : []),
        `Regenerate it with: ${REGENERATE}`,
      ].join('\n'),
    );
  });
});
