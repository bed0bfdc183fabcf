/** Attacks on route and queue idempotency, each test named after the attack (security review of 8e0eb03). */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createAccessControl } from '../auth/access-control.js';
import type { Principal } from '../context/principal.js';
import { records } from '../events/feature.js';
import { idempotencyKey } from '../idempotency/keys.js';
import { idempotency } from '../idempotency/routes.js';
import { type IdempotencyStore, memoryIdempotencyStore } from '../idempotency/store.js';
import { testPrincipal } from '../test-support/principals.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { sqsEvent } from '../testing/records.js';
import { createApp } from './app.js';
import type { AppOptions } from './options.js';

const PRINCIPALS: Record<string, Principal> = {
  ada: testPrincipal('ada', 't-1'),
  bob: testPrincipal('bob', 't-1'),
  // A single-tenant deployment: principals carry no tenant.
  solo1: testPrincipal('solo1', undefined),
  solo2: testPrincipal('solo2', undefined),
};

function build(store: IdempotencyStore = memoryIdempotencyStore(), options: Partial<AppOptions> = {}) {
  return createApp({
    records: records(),
    service: 'pay',
    logger: false,
    metrics: false,
    tracing: false,
    onError: () => {},
    idempotency: idempotency({ store }),
    access: createAccessControl({
      authenticators: [(ctx) => PRINCIPALS[ctx.header('authorization')?.slice(7) ?? '']],
      audit: () => {},
    }),
    ...options,
  });
}

const post = (who: string, key: string, body: string, extra: Record<string, string> = {}) => ({
  method: 'POST',
  body,
  headers: {
    authorization: `Bearer ${who}`,
    'content-type': 'application/json',
    'idempotency-key': key,
    ...extra,
  },
});

describe('idempotency attacks', () => {
  it('session cookie replay: a Set-Cookie written with ctx.header is never stored or replayed', async () => {
    const app = build();
    app.post('/login-ish', { auth: {}, idempotency: true }, (ctx) => {
      ctx.header('set-cookie', `sid=${ctx.principal?.userId}-secret; HttpOnly; Secure`);
      return ctx.json(201, { ok: true });
    });
    await app.request('/login-ish', post('ada', 'k-cookie', '{}'));
    const replay = await app.request('/login-ish', post('ada', 'k-cookie', '{}'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.cookies).toEqual([]);
    // Another user's repeat of the key runs for that user, with that user's own cookie.
    const bob = await app.request('/login-ish', post('bob', 'k-cookie', '{}'));
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(bob.cookies).toEqual(['sid=bob-secret; HttpOnly; Secure']);
  });

  it('same-tenant replay: another user of the tenant never gets the first user’s stored response', async () => {
    const app = build();
    let runs = 0;
    app.post('/statements', { auth: {}, idempotency: true }, (ctx) => {
      runs++;
      ctx.header('x-owner', ctx.principal?.userId as string);
      return ctx.json(201, { owner: ctx.principal?.userId, iban: 'DE89 3704 0044 0532 0130 00' });
    });
    await app.request('/statements', post('ada', 'k-shared', '{}'));
    const bob = await app.request('/statements', post('bob', 'k-shared', '{}'));
    expect(runs).toBe(2);
    expect(bob.json()).toMatchObject({ owner: 'bob' });
  });

  it('tenantless replay: principals without a tenant do not share one key space', async () => {
    const app = build();
    app.post('/payments', { auth: {}, idempotency: true }, (ctx) =>
      ctx.json(201, { owner: ctx.principal?.userId, clientSecret: `pi_${ctx.principal?.userId}_secret` }),
    );
    await app.request('/payments', post('solo1', 'order-42', '{"amount":1}'));
    const other = await app.request('/payments', post('solo2', 'order-42', '{"amount":1}'));
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(other.json()).toMatchObject({ owner: 'solo2' });
  });

  it('key squatting: a key another caller used first does not refuse the victim’s request', async () => {
    const app = build();
    app.post('/payments', { auth: {}, idempotency: true }, (ctx) =>
      ctx.json(201, { ok: true, body: ctx.body }),
    );
    await app.request('/payments', post('solo2', 'order-43', '{"amount":0}'));
    const victim = await app.request('/payments', post('solo1', 'order-43', '{"amount":500}'));
    expect(victim.status).toBe(201);
  });

  it('failed save with logger off: the caller still gets the answer of the work that ran', async () => {
    const inner = memoryIdempotencyStore();
    const flaky: IdempotencyStore = {
      begin: (k, i) => inner.begin(k, i),
      release: (k, f, o) => inner.release(k, f, o),
      complete: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };
    const app = build(flaky);
    let charges = 0;
    app.post('/charge', { auth: {}, idempotency: true }, (ctx) => {
      charges++;
      return ctx.json(201, { charged: true });
    });
    const first = await app.request('/charge', post('ada', 'k-save', '{"amount":5}'));
    expect(charges).toBe(1);
    // The engine promises: "the caller still gets its answer".
    expect(first.status).toBe(201);
  });

  it('header swap: a header the route names in idempotency.headers is part of the payload', async () => {
    const app = build();
    let runs = 0;
    app.post('/transfer', { auth: {}, idempotency: { headers: ['X-Currency'] } }, (ctx) => {
      runs++;
      return ctx.json(201, {
        amount: (ctx.body as { amount: number }).amount,
        currency: ctx.header('x-currency'),
      });
    });
    await app.request('/transfer', post('ada', 'k-cur', '{"amount":100}', { 'x-currency': 'EUR' }));
    const usd = await app.request(
      '/transfer',
      post('ada', 'k-cur', '{"amount":100}', { 'x-currency': 'USD' }),
    );
    expect(usd.status).toBe(422);
    expect(runs).toBe(1);
  });

  it('request at its deadline margin: the lock still expires after now, no ConfigurationError', async () => {
    const reported: unknown[] = [];
    const app = build(memoryIdempotencyStore(), { onError: (e) => reported.push(e) });
    app.post('/late', { auth: {}, idempotency: true }, () => 'ok');
    const res = await app.request('/late', {
      ...post('ada', 'k-late', '{}'),
      lambda: fakeLambdaContext({ timeoutMs: 200 }),
    });
    expect(reported.map((e) => (e as Error).name)).not.toContain('ConfigurationError');
    expect(res.status).not.toBe(500);
  });
});

describe('queue idempotency attacks', () => {
  it('key coercion: an object key fails the record instead of colliding on "[object Object]"', async () => {
    const seen: unknown[] = [];
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      idempotency: idempotency({ store: memoryIdempotencyStore() }),
    });
    app.sqs(
      'orders',
      {
        body: z.object({ ref: z.unknown(), total: z.number() }),
        idempotency: { key: (m) => m.body.ref as string },
      },
      (m) => {
        seen.push(m.body.ref);
      },
    );
    const event = sqsEvent(
      [
        { body: JSON.stringify({ ref: { id: 'a' }, total: 5 }), messageId: 'm1' },
        { body: JSON.stringify({ ref: { id: 'b' }, total: 5 }), messageId: 'm2' },
      ],
      { queue: 'orders' },
    );
    const result = await app.handler(event, fakeLambdaContext());
    // Today: m1 runs, m2 fails with IDEMPOTENCY_KEY_REUSED on every redelivery until the DLQ.
    // A route key function returning a non-string is a TypeError; the record path should refuse too
    // (both records failed, neither run), never collapse distinct keys.
    expect({ seen, result }).toEqual({
      seen: [],
      result: { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] },
    });
  });

  it('key coercion: a numeric key fails the record instead of equalling its string', async () => {
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      idempotency: idempotency({ store: memoryIdempotencyStore() }),
    });
    const seen: string[] = [];
    app.sqs(
      'jobs',
      {
        body: z.object({ id: z.union([z.number(), z.string()]) }),
        idempotency: { key: (m) => m.body.id as string },
      },
      (m) => {
        seen.push(m.messageId);
      },
    );
    const r = await app.handler(
      sqsEvent([{ body: '{"id":1}', messageId: 'n1' }], { queue: 'jobs' }),
      fakeLambdaContext(),
    );
    expect(r).toEqual({ batchItemFailures: [{ itemIdentifier: 'n1' }] });
    expect(seen).toEqual([]);
  });
});

describe('idempotency checks that held', () => {
  it('keys cannot collide across tenants, routes or methods, whatever they contain', () => {
    const keys = new Set([
      idempotencyKey({ tenant: 't-1', scope: 'POST /a', key: 'x#y' }),
      idempotencyKey({ tenant: 't-1#POST /a', scope: 'x', key: 'y' }),
      idempotencyKey({ tenant: undefined, scope: 'POST /a', key: 'x#y' }),
      idempotencyKey({ tenant: 't-1', scope: 'POST /a#x', key: 'y' }),
      idempotencyKey({ tenant: 't-1', scope: 'PUT /a', key: 'x#y' }),
      idempotencyKey({ tenant: 't%2D1', scope: 'POST /a', key: 'x#y' }),
      idempotencyKey({ tenant: 't-1', scope: 'sqs:POST /a', key: 'x#y' }),
    ]);
    expect(keys.size).toBe(7);
  });

  it('two tenants with the same key never share; the same route under PUT and POST never shares', async () => {
    const app = build();
    let runs = 0;
    app.all('/x', { auth: {}, idempotency: true }, () => ++runs);
    await app.request('/x', post('ada', 'k', '{}'));
    await app.request('/x', { ...post('ada', 'k', '{}'), method: 'PUT' });
    expect(runs).toBe(2);
  });

  it('payload confusion: query vs body, form vs JSON, duplicate keys, 1 vs 1.0', async () => {
    const app = build();
    let runs = 0;
    app.post('/q', { auth: {}, idempotency: true }, (ctx) => {
      runs++;
      return ctx.json(201, { body: ctx.body ?? null, query: ctx.queryMulti() });
    });
    await app.request('/q', post('ada', 'k1', '{"amount":100}'));
    // The same fields moved to the query: another payload.
    const moved = await app.request('/q?amount=100', {
      method: 'POST',
      headers: post('ada', 'k1', '').headers,
    });
    expect(moved.status).toBe(422);
    // 1.0 is 1, key order and spacing do not matter: the handler sees the same value.
    expect(
      (await app.request('/q', post('ada', 'k1', '{ "amount" : 100.0 }'))).headers.get('idempotent-replayed'),
    ).toBe('true');
    // Duplicate keys are ambiguous: refused (400) before the key is taken, so a clean repeat runs.
    expect((await app.request('/q', post('ada', 'k2', '{"amount":1,"amount":2}'))).status).toBe(400);
    expect((await app.request('/q', post('ada', 'k2', '{"amount":1}'))).status).toBe(201);
    // Repeated query parameters in another order are another payload.
    await app.request('/q?t=a&t=b', post('ada', 'k3', '{}'));
    expect((await app.request('/q?t=b&t=a', post('ada', 'k3', '{}'))).status).toBe(422);
    expect(runs).toBe(3);
    // Form and JSON bodies that parse to the same value: the media type counts, so another payload.
    await app.request('/q', post('ada', 'k4', '{"amount":"100"}'));
    const form = await app.request('/q', {
      ...post('ada', 'k4', 'amount=100'),
      headers: {
        authorization: 'Bearer ada',
        'idempotency-key': 'k4',
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    expect(form.status).toBe(422);
  });

  it('a first run that throws frees the key at once; a too-large result is refused clearly on repeat', async () => {
    const app = build(memoryIdempotencyStore({ maxItemBytes: 1024 }));
    let runs = 0;
    app.post('/big', { auth: {}, idempotency: true }, (ctx) => {
      runs++;
      if (runs === 1) throw new Error('boom');
      return ctx.json(201, { blob: 'x'.repeat(4096) });
    });
    expect((await app.request('/big', post('ada', 'kb', '{}'))).status).toBe(500);
    const ran = await app.request('/big', post('ada', 'kb', '{}'));
    expect(ran.status).toBe(201);
    const again = await app.request('/big', post('ada', 'kb', '{}'));
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_RESULT_TOO_LARGE' } });
    expect(runs).toBe(2);
  });

  it('a failing store answers without internals', async () => {
    const broken: IdempotencyStore = {
      begin: async () => {
        throw new Error('AccessDeniedException arn:aws:dynamodb:eu-west-1:123456789012:table/security');
      },
      complete: async () => 'stored',
      release: async () => {},
    };
    const app = build(broken);
    app.post('/p', { auth: {}, idempotency: true }, () => 'ok');
    const res = await app.request('/p', post('ada', 'k', '{}'));
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.text()).not.toMatch(/arn:|AccessDenied|dynamodb/i);
  });

  it('HEAD and GET keep apart; a HEAD replay has no body', async () => {
    const app = build();
    let runs = 0;
    app.get('/r', { auth: {}, idempotency: true }, (ctx) => ctx.json({ n: ++runs }));
    const h = { authorization: 'Bearer ada', 'idempotency-key': 'kh' };
    await app.request('/r', { method: 'HEAD', headers: h });
    const head2 = await app.request('/r', { method: 'HEAD', headers: h });
    expect(head2.headers.get('idempotent-replayed')).toBe('true');
    expect(head2.text()).toBe('');
    const get = await app.request('/r', { method: 'GET', headers: h });
    expect(get.headers.get('idempotent-replayed')).toBeNull();
  });
});
