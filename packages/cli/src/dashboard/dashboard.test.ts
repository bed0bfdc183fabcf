/** The dashboard's JSON endpoints against a real `lift dev` on the dashboard fixture, over loopback HTTP. */
import { request as httpRequest } from 'node:http';
import { register } from 'tsx/esm/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../dev-server.js';
import { fixture } from '../fixtures/harness.js';
import { entryName, type RequestDetail, type RequestSummary, reservedRouteProblem } from './index.js';

let server: DevServer;
const logs: string[] = [];
const level = process.env.POWERTOOLS_LOG_LEVEL;
let unregister: (() => Promise<void>) | undefined;

beforeAll(async () => {
  // app.openapi() imports @lift/core/openapi by name at run time, which in this repository resolves to
  // TypeScript sources: Node needs tsx's loader for them, as `lift dev` from source has it.
  unregister = register();
  // The access lines (route, user, tenant) are INFO; the suite's default is WARN.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  server = await startDevServer({
    entry: fixture('dashboard.ts'),
    port: 0,
    watch: false,
    log: (l) => logs.push(l),
    outboxes: [
      {
        name: 'sms',
        title: 'Text messages',
        list: () => [{ id: 's1', to: '+15550100', summary: 'Your code is 123456' }],
      },
    ],
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await unregister?.();
  if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = level;
});

// biome-ignore lint/suspicious/noExplicitAny: a test client reading arbitrary JSON answers.
type Json = any;

async function json(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, body: await res.json(), headers: res.headers };
}
const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  json(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** A raw request, for headers fetch will not let a caller set (Host). */
function raw(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function logged(path: string): Promise<RequestSummary> {
  for (let i = 0; i < 100; i++) {
    const found = ((await json('/_lift/api/requests')).body as RequestSummary[]).find(
      (r) => r.path === path && r.status !== undefined,
    );
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} never appeared in the request log`);
}

describe('GET /_lift/api/overview', () => {
  it('lists the routes with their access, the schedules, tables and outboxes', async () => {
    const { status, body, headers } = await json('/_lift/api/overview');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body.service).toBe('dashboard-demo');
    expect(body.url).toBe(server.url);
    expect(body.routes).toContainEqual({
      method: 'POST',
      pattern: '/tenants/:tenantId/notes',
      access: 'protected',
      roles: ['company_admin'],
    });
    expect(body.routes).toContainEqual({ method: 'GET', pattern: '/hello', access: 'public' });
    expect(body.schedules.map((s: { name: string }) => s.name)).toEqual(['digest']);
    expect(body.tables).toEqual([
      {
        name: 'dashboard-notes',
        partitionKey: { name: 'tenantId', type: 'S' },
        sortKey: { name: 'noteId', type: 'S' },
      },
    ]);
    expect(body.outboxes).toEqual([
      { name: 'push', title: 'Push (Expo)' },
      { name: 'sms', title: 'Text messages' },
    ]);
    expect(body.userPools).toBe(1);
    expect(body.worker).toBe(false);
  });

  it('serves the OpenAPI document with the address the page was opened at as its server', async () => {
    const { port } = new URL(server.url);
    // "Try it out" calls the document's server, which the page's CSP allows only on its own origin.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      const res = await raw('/_lift/openapi.json', { host });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).servers).toEqual([{ url: `http://${host}` }]);
    }
  });
});

describe('the request log', () => {
  it('keeps each request with the lines its code wrote, and its principal from a dev token', async () => {
    const minted = await postJson('/_lift/api/token', {
      sub: 'ada',
      tenant: 'tenant-a',
      roles: ['company_admin'],
    });
    expect(minted.status).toBe(200);
    expect(Date.parse(minted.body.expiresAt)).toBeGreaterThan(Date.now());
    const auth = { authorization: `Bearer ${minted.body.token}` };
    // Two at once: each line must land with the request that wrote it.
    const [a, b] = await Promise.all([
      fetch(`${server.url}/hello?who=first`),
      postJson('/tenants/tenant-a/notes', { text: 'one' }, auth),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const hello = await logged('/hello?who=first');
    expect(hello).toMatchObject({ kind: 'http', method: 'GET', route: '/hello', status: 200 });
    expect(hello.userId).toBeUndefined();
    const note = await logged('/tenants/tenant-a/notes');
    expect(note).toMatchObject({ route: '/tenants/:tenantId/notes', userId: 'ada', tenantId: 'tenant-a' });
    const detail = (await json(`/_lift/api/requests/${hello.id}`)).body as RequestDetail;
    const texts = detail.lines.map((l) => l.text);
    expect(texts.some((t) => t.includes('"saying hello"') && t.includes('"who":"first"'))).toBe(true);
    expect(texts.some((t) => t.includes('note saved'))).toBe(false);
    const noteLines = (await json(`/_lift/api/requests/${note.id}`)).body as RequestDetail;
    expect(noteLines.lines.some((l) => l.text.includes('note saved') && l.level === 'INFO')).toBe(true);
  });

  it('keeps the error of a 5xx, its stack mapped to the sources; the client still gets the generic answer', async () => {
    const res = await fetch(`${server.url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('always fails');
    const boom = await logged('/boom');
    expect(boom.error).toContain('the boom route always fails');
    expect(boom.error).toContain('fixtures/dashboard.ts');
  });

  it('says which request is unknown', async () => {
    expect((await json('/_lift/api/requests/999999')).status).toBe(404);
    expect((await json('/_lift/api/requests/abc')).status).toBe(404);
  });
});

describe('tables', () => {
  it('scans and queries the declared table a page at a time', async () => {
    const token = (
      await postJson('/_lift/api/token', { sub: 'bo', tenant: 'tenant-b', roles: ['company_admin'] })
    ).body.token as string;
    for (const text of ['x', 'y', 'z'])
      await postJson('/tenants/tenant-b/notes', { text }, { authorization: `Bearer ${token}` });
    const first = await json('/_lift/api/tables/dashboard-notes/items?pk=tenant-b&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items.every((i: { tenantId: string }) => i.tenantId === 'tenant-b')).toBe(true);
    const second = await json(
      `/_lift/api/tables/dashboard-notes/items?pk=tenant-b&limit=2&cursor=${first.body.cursor}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.cursor).toBeUndefined();
    const prefixed = await json('/_lift/api/tables/dashboard-notes/items?pk=tenant-b&sk=nope');
    expect(prefixed.body.items).toEqual([]);
    const scan = await json('/_lift/api/tables/dashboard-notes/items');
    expect(scan.body.items.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses what it cannot do, saying why', async () => {
    expect((await json('/_lift/api/tables/other/items')).body).toEqual({
      message: 'no declared table "other"',
    });
    const cursor = await json('/_lift/api/tables/dashboard-notes/items?cursor=%%%');
    expect(cursor.status).toBe(400);
    expect(cursor.body.message).toMatch(/cursor/);
    expect((await json('/_lift/api/tables/dashboard-notes/items?limit=1000')).status).toBe(400);
    expect((await json('/_lift/api/tables/dashboard-notes/items?sk=a')).body.message).toMatch(
      /partition key/,
    );
  });
});

describe('mail, outboxes and schedules', () => {
  it('serves the mailbox and each outbox', async () => {
    await postJson('/login', { email: 'cy@example.com' });
    const mail = await json('/_lift/api/mail');
    expect(mail.body[0]).toMatchObject({ to: 'cy@example.com', subject: expect.any(String) });
    await postJson('/push', { to: 'ExponentPushToken[t1]', title: 'Ready' });
    const push = await json('/_lift/api/outboxes/push');
    expect(push.body[0]).toMatchObject({
      to: 'ExponentPushToken[t1]',
      summary: 'Ready — from the dashboard fixture',
    });
    expect((await json('/_lift/api/outboxes/sms')).body).toEqual([
      { id: 's1', to: '+15550100', summary: 'Your code is 123456' },
    ]);
    expect((await json('/_lift/api/outboxes/fax')).status).toBe(404);
  });

  it('runs a schedule now through the same firing as its timer, and logs it', async () => {
    const ran = await postJson('/_lift/api/schedules/digest/run', {});
    expect(ran).toMatchObject({ status: 200, body: { schedule: 'digest', ok: true } });
    expect(logs).toContain('schedule digest: fired from the dashboard');
    const entry = await logged('digest');
    expect(entry).toMatchObject({ kind: 'schedule', method: 'SCHEDULE', status: 200, trigger: 'dashboard' });
    // A firing by curl counts as the last run too, marked as such.
    expect((await fetch(`${server.url}/_lift/schedules/digest`, { method: 'POST' })).status).toBe(200);
    const [digest] = (await json('/_lift/api/overview')).body.schedules;
    expect(digest.last).toMatchObject({ trigger: 'http', status: 200 });
    expect(digest.last.id).toBeGreaterThan(entry.id);
    const missing = await postJson('/_lift/api/schedules/nope/run', {});
    expect(missing).toMatchObject({ status: 404, body: { schedules: ['digest'] } });
  });
});

describe('who may use it', () => {
  it('checks what a token is minted for', async () => {
    expect((await postJson('/_lift/api/token', {})).body.message).toMatch(/sub/);
    expect((await postJson('/_lift/api/token', { sub: 'a', target: 'elsewhere' })).body.message).toMatch(
      /target/,
    );
    expect((await postJson('/_lift/api/token', { sub: 'a', roles: 'admin' })).body.message).toMatch(/roles/);
    expect((await postJson('/_lift/api/token', { sub: 'a', ttlSeconds: 10 ** 9 })).status).toBe(400);
    expect((await postJson('/_lift/api/token', { sub: 'a b' })).status).toBe(400);
  });

  it('refuses a cross-origin page, a form post, a foreign Host', async () => {
    const evil = await postJson('/_lift/api/token', { sub: 'a' }, { origin: 'http://evil.example' });
    expect(evil).toMatchObject({
      status: 403,
      body: { message: 'cross-origin request from http://evil.example refused' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const form = await json('/_lift/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sub=a',
    });
    expect(form.status).toBe(403);
    const site = await postJson('/_lift/api/token', { sub: 'a' }, { 'sec-fetch-site': 'cross-site' });
    expect(site.status).toBe(403);
    const rebound = await raw('/_lift/api/overview', { host: 'attacker.example:80' });
    expect(rebound.status).toBe(403);
    expect((await raw('/_lift/api/overview', { host: 'localhost' })).status).toBe(200);
    const same = await postJson('/_lift/api/token', { sub: 'a' }, { origin: server.url });
    expect(same.status).toBe(200);
  });

  it('owns every path under /_lift/ and serves the page with a strict CSP', async () => {
    expect((await json('/_lift/whatever')).status).toBe(404);
    const page = await fetch(`${server.url}/_lift/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/_lift/assets/dashboard.js');
    const bare = await fetch(`${server.url}/_lift`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect((await fetch(`${server.url}/_lift/assets/swagger-ui/swagger-ui-bundle.js`)).status).toBe(200);
    expect((await fetch(`${server.url}/_lift/assets/swagger-ui/package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/_lift/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});

describe("a worker's dashboard", () => {
  it('says the service is a worker, so the page can say why it has no routes and uses no token', async () => {
    const worker = await startDevServer({
      entry: fixture('records-only.ts'),
      port: 0,
      watch: false,
      log: () => {},
    });
    try {
      const overview = (await (await fetch(`${worker.url}/_lift/api/overview`)).json()) as Json;
      expect(overview).toMatchObject({ service: 'records-only', worker: true, hasApp: true, routes: [] });
      expect(overview.schedules.map((s: { name: string }) => s.name)).toEqual(['every-minute']);
      // Not "the entry exports no app", which a worker's missing describe() would otherwise give.
      const plan = (await (await fetch(`${worker.url}/_lift/api/token`)).json()) as Json;
      expect(plan.note).toMatch(/^This service is a worker \(createWorker\): it serves no HTTP/);
      expect(plan.targets.map((t: { id: string }) => t.id)).toEqual(['dev']);
    } finally {
      await worker.close();
    }
  }, 60_000);
});

describe('reservedRouteProblem', () => {
  it('names a service with no exported app after its package or folder, never "handler"', () => {
    expect(entryName(fixture('dashboard.ts'))).toBe('@lift/cli');
    expect(entryName('reference/bubble-batch/src/handler.ts')).toBe('@lift/reference-bubble-batch');
    expect(entryName('/nowhere/kefir-shop/src/handler.ts')).toBe('kefir-shop');
    expect(entryName('/nowhere/kefir-shop/handler.ts')).toBe('kefir-shop');
  });

  it('names the app routes under /_lift/, which lift dev would never let through', () => {
    expect(
      reservedRouteProblem([
        { method: 'GET', pattern: '/_lift-ish' },
        { method: 'GET', pattern: '/x/_lift' },
      ]),
    ).toBeUndefined();
    expect(
      reservedRouteProblem([
        { method: 'GET', pattern: '/_lift/status' },
        { method: 'POST', pattern: '/_lift' },
      ]),
    ).toBe(
      'GET /_lift/status, POST /_lift: paths under /_lift/ belong to lift dev (its dashboard and tools); move these routes elsewhere',
    );
  });
});

describe('POST /_lift/schedules/NAME', () => {
  it('fires for a tool, not for a page on another site', async () => {
    expect((await fetch(`${server.url}/_lift/schedules/digest`, { method: 'POST' })).status).toBe(200);
    const foreign = await json('/_lift/schedules/digest', {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign).toMatchObject({
      status: 403,
      body: { message: 'cross-origin request from http://evil.example refused' },
    });
  });

  it('DNS rebinding: a page reaching loopback under its own name reads no mail and fires nothing', async () => {
    const rebound = {
      host: 'evil.example:80',
      origin: 'http://evil.example:80',
      'content-type': 'text/plain',
    };
    const mail = await raw('/_lift/mail', rebound);
    expect(mail.status).toBe(403);
    expect(mail.body).not.toContain('code');
    expect((await raw('/_lift/schedules/digest', rebound, 'POST')).status).toBe(403);
    expect((await raw('/_lift/mail', { host: 'localhost' })).status).toBe(200);
  });
});
