/**
 * Bubble Batch through the typed client (`@lift/core/client`), over real HTTP on loopback: the
 * client is typed from the app's type alone, sends the user's id token, reads errors as Lift's
 * envelope, and parses answers with the routes' response schemas when it is given them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toEvent, writeResult } from '@lift/cli';
import { ClientError, createClient } from '@lift/core/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import type { createBubbleBatchApp } from './app.js';
import type { Batch } from './routes/responses.js';
import { type Harness, startHarness } from './testing/harness.js';
import { idToken } from './testing/tokens.js';

type BubbleBatch = ReturnType<typeof createBubbleBatchApp>;

let h: Harness;
let server: Server;
let url: string;
beforeAll(async () => {
  h = await startHarness();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const event = toEvent(req, Buffer.concat(chunks), 'http', `req-${Date.now()}`);
      writeResult(res, await h.app.handler(event));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await h?.close();
});

describe('the typed client', () => {
  it('creates, reads and changes a batch as its owner', async () => {
    const alice = createClient<BubbleBatch>(url, { token: () => idToken('alice') });
    const made = await alice.post('/batches', { body: { name: 'Kitchen kefir', type: 'milk-kefir' } });
    if (!made.ok) throw new Error(`create failed: ${made.error.code}`);
    expect(made.status).toBe(201);
    expectTypeOf(made.status).toEqualTypeOf<201>();
    expect(made.headers.get('location')).toBe(`/batches/${made.data.id}`);
    expect(made.data).toMatchObject({ name: 'Kitchen kefir', type: 'milk-kefir', version: 1 });

    const read = await alice.get('/batches/:id', { params: { id: String(made.data.id) } });
    expect(read.ok && read.data).toEqual(made.data);

    const changed = await alice.patch('/batches/:id', {
      params: { id: String(made.data.id) },
      body: { notes: 'second ferment', version: 1 },
    });
    expect(changed).toMatchObject({ ok: true, status: 200, data: { notes: 'second ferment', version: 2 } });

    const listed = await alice.get('/batches', { query: { limit: 10 } });
    expect(listed.ok && listed.data.batches.map((b) => b.id)).toContain(made.data.id);
  });

  it('reads refusals as the error envelope', async () => {
    const anonymous = createClient<BubbleBatch>(url);
    const refused = await anonymous.get('/batches');
    expect(refused).toMatchObject({ ok: false, status: 401, error: { code: 'UNAUTHORIZED' } });

    const bob = createClient<BubbleBatch>(url, { token: () => idToken('bob') });
    const missing = await bob.get('/batches/:id', { params: { id: 'AAAAAAAAAAAAAAAAAAAAAA' } });
    expect(missing).toMatchObject({ ok: false, status: 404, error: { code: 'NOT_FOUND' } });
    if (!missing.ok) expect(missing.error.requestId).not.toBe('');

    // @ts-expect-error the type is one of the batch types: sent anyway to see the server refuse it
    const invalid = await bob.post('/batches', { body: { name: 'x', type: 'lemonade' } });
    expect(invalid).toMatchObject({ ok: false, status: 422, error: { code: 'VALIDATION_FAILED' } });
  });

  it('parses answers with the response schemas the routes declare', async () => {
    const schemas = h.app.responseSchemas();
    expect(Object.keys(schemas)).toContain('POST /batches');
    const carol = createClient<BubbleBatch>(url, { token: () => idToken('carol'), schemas });
    const made = await carol.post('/batches', {
      body: {
        name: 'Parsed kefir',
        type: 'water-kefir',
        notes: 'on the shelf',
        startedAt: '2026-01-02T03:04:05+01:00',
      },
    });
    if (!made.ok) throw new Error(`create failed: ${made.error.code}`);
    expectTypeOf(made.data).toEqualTypeOf<z.output<typeof Batch>>();
    // Parsed by `Batch`: exactly these fields, times as the ISO UTC strings the service stores.
    expect(made.data).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      name: 'Parsed kefir',
      notes: 'on the shelf',
      public: false,
      status: 'active',
      startedAt: '2026-01-02T02:04:05.000Z',
      lastEventAt: '2026-01-02T02:04:05.000Z',
      createdAt: made.data.updatedAt,
      type: 'water-kefir',
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      version: 1,
    });

    // An answer its schema refuses (here a table key added on the way) is an error, never data.
    const tampered = createClient<BubbleBatch>(url, {
      token: () => idToken('carol'),
      schemas,
      fetch: async (target, init) => {
        const res = await fetch(target, init);
        return Response.json({ ...((await res.json()) as object), PK: 'USER#carol' }, { status: res.status });
      },
    });
    const read = tampered.get('/batches/:id', { params: { id: made.data.id } });
    await expect(read).rejects.toThrow(ClientError);
    await expect(read).rejects.toThrow(/GET \/batches\/:id: the 200 answer does not match its schema/);
  });
});
