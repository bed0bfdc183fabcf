/**
 * The crud-api service through a real `lift dev` server on an ephemeral port, over HTTP. DynamoDB is
 * the embedded dynalite, or DynamoDB Local when LIFT_TEST_DYNAMODB=local.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DevServer, startDevServer } from '@lift/cli';
import { type DynamoDBServer, startTestDynamoDB } from '@lift/core/testing/dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./handler.ts', import.meta.url));
const local = process.env.LIFT_TEST_DYNAMODB === 'local';
let external: DynamoDBServer | undefined;
let server: DevServer;
const logs: string[] = [];

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: a test client reading arbitrary JSON answers.
  const json = text === '' ? undefined : (JSON.parse(text) as Record<string, any>);
  return { status: res.status, headers: res.headers, body: json };
}

beforeAll(async () => {
  if (local) external = await startTestDynamoDB();
  server = await startDevServer({
    entry,
    port: 0,
    watch: false,
    log: (line) => logs.push(line),
    ...(external === undefined ? {} : { dynamodbEndpoint: external.endpoint }),
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await external?.close();
});

describe(`crud-api over lift dev (${local ? 'DynamoDB Local' : 'embedded dynalite'})`, () => {
  it('creates the declared table before the first request', () => {
    expect(logs).toContain('created table crud-api-items');
  });

  it('runs the full create → get → list → update → stale update → delete cycle', async () => {
    const created = await call('POST', '/tenants/acme/items', { name: 'widget', qty: 2 });
    expect(created.status).toBe(201);
    const item = created.body as { id: string; version: number };
    expect(created.headers.get('location')).toBe(`/tenants/acme/items/${item.id}`);
    expect(created.body).toMatchObject({ tenantId: 'acme', name: 'widget', qty: 2, version: 1 });

    expect((await call('GET', `/tenants/acme/items/${item.id}`)).body).toMatchObject({
      id: item.id,
      version: 1,
    });
    const list = await call('GET', '/tenants/acme/items');
    expect(list.body?.items.map((i: { id: string }) => i.id)).toContain(item.id);

    const updated = await call('PATCH', `/tenants/acme/items/${item.id}`, { qty: 5, version: 1 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ qty: 5, name: 'widget', version: 2 });

    const stale = await call('PATCH', `/tenants/acme/items/${item.id}`, { qty: 9, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: { code: 'CONDITION_FAILED', details: { currentVersion: 2 } } });
    expect((await call('GET', `/tenants/acme/items/${item.id}`)).body).toMatchObject({ qty: 5, version: 2 });

    expect((await call('DELETE', `/tenants/acme/items/${item.id}`)).status).toBe(204);
    expect((await call('GET', `/tenants/acme/items/${item.id}`)).status).toBe(404);
    expect((await call('DELETE', `/tenants/acme/items/${item.id}`)).status).toBe(404);
  });

  it('pages through a tenant with opaque cursors', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++)
      ids.add((await call('POST', '/tenants/paged/items', { name: `n${i}`, qty: i })).body?.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/tenants/paged/items?limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = await call('GET', path);
      expect(page.status).toBe(200);
      expect(page.body?.items.length).toBeLessThanOrEqual(3);
      seen.push(...(page.body?.items ?? []).map((i: { id: string }) => i.id));
      cursor = page.body?.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(new Set(seen)).toEqual(ids);
    expect(pages).toBe(3);
    const forged = await call(
      'GET',
      '/tenants/paged/items?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ error: { code: 'BAD_REQUEST', message: 'Invalid cursor' } });
  });

  it('keeps tenants apart', async () => {
    const created = await call('POST', '/tenants/tenant-a/items', { name: 'secret', qty: 1 });
    expect((await call('GET', `/tenants/tenant-b/items/${created.body?.id}`)).status).toBe(404);
    expect((await call('GET', '/tenants/tenant-b/items')).body?.items).toEqual([]);
  });

  it('answers validation errors with field-level 422s', async () => {
    const bad = await call('POST', '/tenants/acme/items', { name: '', qty: -1, color: 'red' });
    expect(bad.status).toBe(422);
    expect(bad.body?.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'body',
      'body.name',
      'body.qty',
    ]);
    expect((await call('GET', '/tenants/acme/items/not-a-uuid')).status).toBe(422);
    expect((await call('GET', '/tenants/acme/items?limit=500')).status).toBe(422);
    expect(
      (await call('PATCH', `/tenants/acme/items/${globalThis.crypto.randomUUID()}`, { qty: 1 })).status,
    ).toBe(422);
  });

  it('answers 404 and 405 in the error envelope', async () => {
    const missing = await call('GET', `/tenants/acme/items/${globalThis.crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'NOT_FOUND', requestId: expect.any(String) } });
    expect(
      (await call('PATCH', `/tenants/acme/items/${globalThis.crypto.randomUUID()}`, { qty: 1, version: 1 }))
        .status,
    ).toBe(404);
    expect((await call('GET', '/nowhere')).status).toBe(404);
    const wrong = await call('PUT', '/tenants/acme/items');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('writes one log line per request', () => {
    expect(logs.some((line) => /^GET \/tenants\/acme\/items\/[0-9a-f-]+ 404 \d+\.\d ms$/.test(line))).toBe(
      true,
    );
  });
});

describe('hot reload', () => {
  it('serves new code after a source change and keeps the data', async () => {
    // A copy of the service in a scratch folder inside the example, so imports resolve as usual.
    const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '..', '.reload-test-'));
    try {
      cpSync(fileURLToPath(new URL('.', import.meta.url)), dir, {
        recursive: true,
        filter: (f) => !f.endsWith('.test.ts'),
      });
      const copy = join(dir, 'handler.ts');
      const reloading = await startDevServer({
        entry: copy,
        port: 0,
        log: () => {},
        ...(external === undefined ? {} : { dynamodbEndpoint: external.endpoint }),
      });
      try {
        const created = await fetch(`${reloading.url}/tenants/reload/items`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'kept', qty: 1 }),
        }).then((r) => r.json() as Promise<{ id: string }>);
        expect((await fetch(`${reloading.url}/version`)).status).toBe(404);

        const source = readFileSync(copy, 'utf8');
        writeFileSync(
          copy,
          source.replace(
            '/** The Lambda entry point. */',
            "app.get('/version', () => ({ version: 2 }));\n\n/** The Lambda entry point. */",
          ),
        );
        const deadline = Date.now() + 10_000;
        while (reloading.generation < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(reloading.generation).toBe(2);

        expect(await (await fetch(`${reloading.url}/version`)).json()).toEqual({ version: 2 });
        const kept = await fetch(`${reloading.url}/tenants/reload/items/${created.id}`);
        expect(kept.status).toBe(200);
        expect(await kept.json()).toMatchObject({ name: 'kept' });
      } finally {
        await reloading.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
