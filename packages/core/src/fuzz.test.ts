/**
 * Property test: whatever Lambda hands the handler, it either answers with a well-formed result or
 * refuses the payload with an InvalidEventError. No TypeError from deep inside, no unhandled 500.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { detectHttpAdapter } from './adapters/detect.js';
import { createApp } from './app/app.js';
import { InvalidEventError } from './errors/errors.js';
import { cors } from './http/cors.js';
import { fixtureNames, loadFixture } from './test-support/fixtures.js';
import { albEvent, functionUrlEvent, httpApiEvent, restApiEvent } from './testing/events.js';

const unexpected: unknown[] = [];
const app = createApp({ service: 'fuzz', onError: (error) => unexpected.push(error) });
// Request id and security headers are on by default.
app.use(cors({ origins: ['https://app.example.com'], credentials: true }));
app.get('/', () => ({ ok: true }));
app.get('/items/:id', (ctx) => ({
  id: ctx.params.id,
  q: ctx.queryMulti(),
  c: ctx.cookies,
  ip: ctx.sourceIp ?? null,
}));
app.post('/items', { body: z.object({ name: z.string() }) }, (ctx) => ctx.json(201, ctx.body));
app.put('/raw/*', (ctx) => {
  ctx.cookie('seen', ctx.header('x-token') ?? 'none');
  return { size: ctx.rawBody.length, type: typeof ctx.body };
});
app.all('/proxy/{proxy+}', (ctx) => ctx.text(`${ctx.method} ${ctx.params.proxy}`));

function wellFormed(result: unknown): void {
  expect(typeof result).toBe('object');
  const r = result as Record<string, unknown>;
  expect(Number.isInteger(r.statusCode)).toBe(true);
  expect(r.statusCode as number).toBeGreaterThanOrEqual(200);
  expect(r.statusCode as number).toBeLessThan(600);
  expect(typeof r.body).toBe('string');
  expect(typeof r.isBase64Encoded).toBe('boolean');
  const headers = (r.headers ?? {}) as Record<string, unknown>;
  for (const value of Object.values(headers)) {
    expect(typeof value).toBe('string');
    expect(value as string).not.toMatch(/[\r\n]/);
  }
  for (const values of Object.values((r.multiValueHeaders ?? {}) as Record<string, unknown>)) {
    expect(Array.isArray(values)).toBe(true);
    for (const value of values as unknown[]) expect(value as string).not.toMatch(/[\r\n]/);
  }
  if (r.cookies !== undefined) expect(Array.isArray(r.cookies)).toBe(true);
}

async function invoke(event: unknown): Promise<void> {
  let httpShaped = false;
  try {
    httpShaped = detectHttpAdapter(event) !== undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
  }
  try {
    const result = await app.handler(event);
    wellFormed(result);
  } catch (error) {
    if (httpShaped || !(error instanceof InvalidEventError)) throw error;
  }
}

const samples = fixtureNames().map(loadFixture);

// Text that looks like the things adapters parse: paths, percent escapes, separators, unicode.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are part of the attack surface.
const tricky = fc.stringMatching(/^[/%a-zA-Z0-9 ?&=+;,:.\r\n\u0000é✓"{}\\-]{0,24}$/);
const anyValue = fc.oneof(
  fc.anything(),
  tricky,
  fc.constant(null),
  fc.constant(undefined),
  fc.constant([]),
  fc.constant({}),
);

const topKeys = [
  'httpMethod',
  'path',
  'rawPath',
  'rawQueryString',
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'cookies',
  'body',
  'isBase64Encoded',
  'requestContext',
  'version',
  'type',
] as const;
const contextKeys = [
  'http',
  'stage',
  'domainName',
  'requestId',
  'elb',
  'identity',
  'messageDirection',
] as const;

type Mutation =
  | { where: 'top'; key: string; value: unknown }
  | { where: 'context'; key: string; value: unknown }
  | { where: 'http'; key: string; value: unknown }
  | { where: 'header'; key: string; value: unknown }
  | { where: 'delete'; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ where: fc.constant('top' as const), key: fc.constantFrom(...topKeys), value: anyValue }),
  fc.record({
    where: fc.constant('context' as const),
    key: fc.constantFrom(...contextKeys),
    value: anyValue,
  }),
  fc.record({
    where: fc.constant('http' as const),
    key: fc.constantFrom('method', 'path', 'sourceIp'),
    value: anyValue,
  }),
  fc.record({
    where: fc.constant('header' as const),
    key: fc.oneof(
      tricky,
      fc.constantFrom('content-type', 'origin', 'cookie', 'x-request-id', 'x-forwarded-for'),
    ),
    value: anyValue,
  }),
  fc.record({ where: fc.constant('delete' as const), key: fc.constantFrom(...topKeys) }),
);

function mutate(base: Record<string, unknown>, mutations: readonly Mutation[]): unknown {
  const event = structuredClone(base);
  for (const m of mutations) {
    const context = (event.requestContext ?? {}) as Record<string, unknown>;
    if (m.where === 'top') event[m.key] = m.value;
    else if (m.where === 'delete') delete event[m.key];
    else if (m.where === 'context' && typeof context === 'object' && context !== null)
      context[m.key] = m.value;
    else if (m.where === 'http' && typeof context.http === 'object' && context.http !== null) {
      (context.http as Record<string, unknown>)[m.key] = m.value;
    } else if (m.where === 'header' && typeof event.headers === 'object' && event.headers !== null) {
      (event.headers as Record<string, unknown>)[m.key] = m.value;
    }
  }
  return event;
}

const builtRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'BREW'),
  path: fc.oneof(
    fc.constantFrom('/', '/items/1', '/items', '/raw/a/b', '/proxy/x', '/nope'),
    tricky.map((s) => `/${s.replace(/[?\r\n]/g, '')}`),
    fc
      .tuple(fc.constantFrom('/items/', '/raw/', '/proxy/'), tricky)
      .map(([a, b]) => a + b.replace(/[?\r\n]/g, '')),
  ),
  query: fc.dictionary(tricky, fc.oneof(tricky, fc.array(tricky, { maxLength: 3 })), { maxKeys: 3 }),
  headers: fc.dictionary(
    fc.oneof(
      fc.constantFrom('content-type', 'origin', 'x-request-id', 'x-token', 'x-forwarded-for', 'cookie'),
      fc.stringMatching(/^[a-z-]{1,12}$/),
    ),
    fc.oneof(
      fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'https://app.example.com',
        'null',
      ),
      tricky,
    ),
    { maxKeys: 4 },
  ),
  body: fc.option(fc.oneof(tricky, fc.json(), fc.uint8Array({ maxLength: 64 })), { nil: undefined }),
  source: fc.constantFrom(
    httpApiEvent,
    restApiEvent,
    functionUrlEvent,
    albEvent,
    (init: Parameters<typeof albEvent>[0]) => albEvent(init, { multiValue: true }),
  ),
});

describe('fuzzing the handler with 10,000 events', () => {
  it('answers every request built by the test kit with a well-formed result (4,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(builtRequest, async ({ source, ...init }) => {
        const event = source(init as Parameters<typeof httpApiEvent>[0]);
        expect(detectHttpAdapter(event)).toBeDefined();
        wellFormed(await app.handler(event));
      }),
      { numRuns: 4000 },
    );
    expect(
      unexpected.map((e) =>
        String((e as Error).stack)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      ),
    ).toEqual([]);
  });

  it('answers or cleanly refuses every mutated captured sample (4,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: samples.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (i, m) => {
          await invoke(mutate(samples[i] as Record<string, unknown>, m));
        },
      ),
      { numRuns: 4000 },
    );
    expect(
      unexpected.map((e) =>
        String((e as Error).stack)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      ),
    ).toEqual([]);
  });

  it('refuses arbitrary payloads with a typed error, never a crash (2,000 runs)', async () => {
    await fc.assert(fc.asyncProperty(fc.anything({ withNullPrototype: true }), invoke), { numRuns: 2000 });
    expect(
      unexpected.map((e) =>
        String((e as Error).stack)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      ),
    ).toEqual([]);
  });
});
