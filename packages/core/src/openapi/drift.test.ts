import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { openApiChanges, openApiDocument } from './index.js';

const item = z.object({ id: z.string(), name: z.string(), note: z.string().optional() });

/** A small API, in the version the test asks for. */
function version(change: (typeof CHANGES)[number] | 'none') {
  const app = createApp({ service: 'items' });
  const body =
    change === 'body-required'
      ? z.object({ name: z.string(), colour: z.string() })
      : change === 'body-optional'
        ? z.object({ name: z.string(), colour: z.string().optional() })
        : z.object({ name: z.string() });
  const response =
    change === 'response-field-removed'
      ? z.object({ id: z.string(), note: z.string().optional() })
      : change === 'type-changed'
        ? z.object({ id: z.number(), name: z.string(), note: z.string().optional() })
        : item;
  app.post('/items', { body, responses: { 201: response } }, () => undefined);
  if (change !== 'route-removed') app.get('/items/:id', { responses: { 200: item } }, () => undefined);
  app.get(
    '/search',
    {
      query:
        change === 'query-required' ? z.object({ q: z.string() }) : z.object({ q: z.string().optional() }),
    },
    () => [],
  );
  if (change === 'route-added') app.delete('/items/:id', () => undefined);
  return openApiDocument(app, { onWarning: () => {} });
}

const CHANGES = [
  'route-removed',
  'route-added',
  'body-required',
  'body-optional',
  'response-field-removed',
  'type-changed',
  'query-required',
] as const;

describe('openApiChanges', () => {
  const before = version('none');

  it('finds nothing between two generations of the same app', () => {
    expect(openApiChanges(before, version('none'))).toEqual({ breaking: [], additive: [] });
  });

  it('classifies each change as a client of the old document sees it', () => {
    const seen = Object.fromEntries(
      CHANGES.map((change) => [change, openApiChanges(before, version(change))]),
    );
    expect(seen['route-removed']).toEqual({ breaking: ['GET /items/{id} removed'], additive: [] });
    expect(seen['route-added']).toEqual({ breaking: [], additive: ['DELETE /items/{id} added'] });
    expect(seen['body-required']?.breaking).toEqual([
      'POST /items request body.colour added as a required field',
    ]);
    expect(seen['body-optional']).toEqual({
      breaking: [],
      additive: ['POST /items request body.colour added'],
    });
    expect(seen['response-field-removed']?.breaking).toEqual(['POST /items 201 body.name removed']);
    expect(seen['type-changed']?.breaking).toEqual([
      'POST /items 201 body.id: type ["string"] became ["number"]',
    ]);
    expect(seen['query-required']?.breaking).toEqual(['GET /search: parameter query q is now required']);
  });

  it('counts a change of wording as additive', () => {
    const after = structuredClone(before) as unknown as { info: { description?: string } };
    after.info.description = 'Now described';
    expect(openApiChanges(before, after)).toEqual({
      breaking: [],
      additive: ['descriptions, extensions or components changed'],
    });
  });
});
