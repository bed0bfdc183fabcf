/**
 * Batches, events, photos and the public page through `app.request`, on dynalite: every route keeps
 * users apart (another user's batch is a 404, as an unknown one), and the public page shows nothing
 * private.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKey } from './keys.js';
import { type Harness, startHarness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h?.close());

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
type Json = Record<string, any>;

async function createBatch(user: string, body: Json = {}): Promise<Json> {
  const res = await h.as(user)('POST', '/batches', { name: 'Kitchen kefir', type: 'milk-kefir', ...body });
  expect(res.status).toBe(201);
  return res.json();
}

describe('batches', () => {
  it('creates, reads, lists and changes a batch, with a started event', async () => {
    const alice = h.as('alice');
    const batch = await createBatch('alice', { notes: 'raw milk', startedAt: '2026-11-20T08:00:00+01:00' });
    expect(batch).toMatchObject({
      name: 'Kitchen kefir',
      type: 'milk-kefir',
      public: false,
      status: 'active',
      startedAt: '2026-11-20T07:00:00.000Z',
      version: 1,
    });
    expect(batch.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Object.keys(batch)).not.toEqual(expect.arrayContaining(['PK', 'SK', 'GSI1PK', 'userId']));
    expect((await alice('GET', `/batches/${batch.id}`)).json()).toEqual(batch);
    const list = (await alice('GET', '/batches')).json<Json>();
    expect(list.batches.map((b: Json) => b.id)).toContain(batch.id);
    const events = (await alice('GET', `/batches/${batch.id}/events`)).json<Json>();
    expect(events.events).toEqual([
      expect.objectContaining({ type: 'started', at: '2026-11-20T07:00:00.000Z' }),
    ]);

    const changed = await alice('PATCH', `/batches/${batch.id}`, {
      name: 'Renamed',
      notes: null,
      version: 1,
    });
    expect(changed.json()).toMatchObject({ name: 'Renamed', version: 2 });
    expect(changed.json()).not.toHaveProperty('notes');
    const stale = await alice('PATCH', `/batches/${batch.id}`, { name: 'Late', version: 1 });
    expect(stale.status).toBe(409);
  });

  it('validates input with one 422', async () => {
    const res = await h.as('alice')('POST', '/batches', { name: '', type: 'kombucha', extra: 1 });
    expect(res.status).toBe(422);
    const future = await h.as('alice')('POST', '/batches', {
      name: 'x',
      type: 'water-kefir',
      startedAt: '2099-01-01T00:00:00Z',
    });
    expect(future.status).toBe(422);
  });

  it('refuses every protected route without a valid token', async () => {
    for (const [method, path] of [
      ['POST', '/batches'],
      ['GET', '/batches'],
      ['GET', '/me/reminders'],
      ['POST', '/me/devices'],
      ['GET', '/export.csv'],
    ] as const)
      expect((await h.anonymous(method, path, method === 'POST' ? {} : undefined)).status).toBe(401);
    const forged = await h.app.request({ path: '/batches', headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
  });
});

describe('user isolation: another user’s batch is a 404 on every route', () => {
  it('answers exactly as for an unknown batch, and changes nothing', async () => {
    const batch = await createBatch('owner', { public: false });
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
    const mallory = h.as('mallory');
    const routes: [string, string, Json?][] = [
      ['GET', '/batches/:id'],
      ['PATCH', '/batches/:id', { name: 'pwned', version: 1 }],
      ['POST', '/batches/:id/events', { type: 'note', notes: 'pwned' }],
      ['GET', '/batches/:id/events'],
      ['GET', '/batches/:id/reminders/suggestions'],
      ['POST', '/batches/:id/reminders/confirm', { suggestionIds: [`milk-strain.x`] }],
    ];
    for (const [method, path, body] of routes) {
      const theirs = await mallory(method, path.replace(':id', batch.id), body);
      const none = await mallory(method, path.replace(':id', unknown), body);
      expect([method, path, theirs.status]).toEqual([method, path, 404]);
      expect(theirs.json<Json>().error.message).toBe(none.json<Json>().error.message);
    }
    expect((await mallory('GET', '/batches')).json<Json>().batches).toEqual([]);
    const exported = (await mallory('GET', '/export.csv')).text();
    expect(exported).not.toContain(batch.id);
    // The owner's batch is untouched.
    const own = (await h.as('owner')('GET', `/batches/${batch.id}`)).json<Json>();
    expect(own).toMatchObject({ name: 'Kitchen kefir', version: 1 });
    expect((await h.as('owner')('GET', `/batches/${batch.id}/events`)).json<Json>().events).toHaveLength(1);
  });
});

describe('events and photos', () => {
  it('a photo event gets a presigned POST limited to its image type and 10 MiB, keyed by user and batch', async () => {
    const batch = await createBatch('photographer');
    const res = await h.as('photographer')('POST', `/batches/${batch.id}/events`, {
      type: 'photo',
      contentType: 'image/jpeg',
    });
    expect(res.status).toBe(201);
    const { event, upload } = res.json<Json>();
    expect(event).toMatchObject({ type: 'photo', contentType: 'image/jpeg' });
    expect(upload).toMatchObject({
      method: 'POST',
      key: `users/photographer/batches/${batch.id}/photos/${event.id}.jpg`,
      contentType: 'image/jpeg',
      maxBytes: 10 * 1024 * 1024,
    });
    const policy = JSON.parse(Buffer.from(upload.fields.Policy, 'base64').toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$key', upload.key],
        ['eq', '$Content-Type', 'image/jpeg'],
        ['content-length-range', 1, 10 * 1024 * 1024],
      ]),
    );
    const listed = (await h.as('photographer')('GET', `/batches/${batch.id}/events`)).json<Json>();
    const photo = listed.events.find((e: Json) => e.type === 'photo');
    const url = new URL(photo.photoUrl);
    expect(url.pathname).toContain(`/users/photographer/batches/${batch.id}/photos/${event.id}.jpg`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(photo).not.toHaveProperty('photoKey');
  });

  it('refuses a photo that is not an image, and an image type on another event', async () => {
    const batch = await createBatch('photographer');
    const call = (body: Json) => h.as('photographer')('POST', `/batches/${batch.id}/events`, body);
    expect((await call({ type: 'photo', contentType: 'text/html' })).status).toBe(422);
    expect((await call({ type: 'photo' })).status).toBe(422);
    expect((await call({ type: 'fed', contentType: 'image/png' })).status).toBe(422);
    expect((await call({ type: 'fed' })).status).toBe(201);
  });
});

describe('public page', () => {
  it('shows a public batch without owner, email, keys or photo paths, cacheable for 60 s', async () => {
    const batch = await createBatch('sharer', { public: true, notes: 'our first' });
    await h.as('sharer')('POST', `/batches/${batch.id}/events`, { type: 'photo', contentType: 'image/png' });
    const res = await h.anonymous('GET', `/public/b/${batch.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const page = res.json<Json>();
    expect(Object.keys(page).sort()).toEqual(
      ['events', 'id', 'lastEventAt', 'name', 'notes', 'startedAt', 'status', 'type'].sort(),
    );
    expect(page.events.map((e: Json) => e.type)).toEqual(['started', 'photo']);
    const text = res.text();
    for (const secret of ['sharer', 'example.com', 'USER#', 'users/', 'GSI1', 'photoKey', 'version'])
      expect(text).not.toContain(secret);
  });

  it('answers private, unknown, malformed and made-private batches with the same 404', async () => {
    const hidden = await createBatch('sharer', { public: false });
    const shared = await createBatch('sharer', { public: true });
    const bodies: string[] = [];
    for (const id of [hidden.id, 'AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id', '..%2F..%2Fbatches']) {
      const res = await h.anonymous('GET', `/public/b/${id}`);
      expect(res.status).toBe(404);
      bodies.push(res.json<Json>().error.message);
    }
    expect(new Set(bodies).size).toBe(1);
    expect((await h.anonymous('GET', `/public/b/${shared.id}`)).status).toBe(200);
    await h.as('sharer')('PATCH', `/batches/${shared.id}`, { public: false, version: 1 });
    expect(await h.data.get(publicKey(shared.id))).toBeUndefined();
    expect((await h.anonymous('GET', `/public/b/${shared.id}`)).status).toBe(404);
    // A pointer left behind (a crash between two writes) still shows nothing: the batch decides.
    await h.data.put({ ...publicKey(hidden.id), ownerId: 'sharer', batchId: hidden.id });
    expect((await h.anonymous('GET', `/public/b/${hidden.id}`)).status).toBe(404);
  });

  it('is rate limited per IP', async () => {
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++)
      statuses.push(
        (await h.anonymous('GET', '/public/b/AAAAAAAAAAAAAAAAAAAAAA', undefined, { sourceIp: ip })).status,
      );
    expect(statuses.slice(0, 60).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(60)).toEqual([429, 429]);
    expect(
      (await h.anonymous('GET', '/public/b/AAAAAAAAAAAAAAAAAAAAAA', undefined, { sourceIp: '203.0.113.78' }))
        .status,
    ).toBe(404);
  });
});
