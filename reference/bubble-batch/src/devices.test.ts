/** Device registration: Expo tokens only, one item per token, registering again changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceKey } from './keys.js';
import { type Harness, startHarness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h?.close());

const TOKEN = 'ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]';

describe('POST /me/devices', () => {
  it('accepts Expo push tokens only', async () => {
    for (const token of [
      'not-a-token',
      'ExponentPushToken[]',
      'ExponentPushToken[abc def]',
      'ExponentPushToken[xxxxxxxxxxxx]extra',
      'FCM:xxxxxxxxxxxxxxxx',
      `ExponentPushToken[${'x'.repeat(300)}]`,
    ])
      expect([token, (await h.as('dora')('POST', '/me/devices', { token })).status]).toEqual([token, 422]);
    expect((await h.as('dora')('POST', '/me/devices', { token: 'ExpoPushToken[abcdefgh12]' })).status).toBe(
      201,
    );
  });

  it('registers a token once: again is a 200 with the same device', async () => {
    const first = await h.as('dora')('POST', '/me/devices', { token: TOKEN, platform: 'ios' });
    expect(first.status).toBe(201);
    const again = await h.as('dora')('POST', '/me/devices', { token: TOKEN, platform: 'ios' });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(first.json()).not.toHaveProperty('userId');
    const stored = await h.data.get(deviceKey(TOKEN));
    expect(stored).toMatchObject({ userId: 'dora', GSI1PK: 'DEVICES#dora' });
  });

  it('moves a token to the user who registers it last: one device per token', async () => {
    const token = 'ExponentPushToken[yyyyyyyyyyyyyyyyyyyyyy]';
    await h.as('erin')('POST', '/me/devices', { token });
    expect((await h.as('frank')('POST', '/me/devices', { token })).status).toBe(201);
    expect(await h.data.get(deviceKey(token))).toMatchObject({ userId: 'frank' });
    const erins = await h.data.query({ index: 'GSI1', partition: 'DEVICES#erin' });
    expect(erins.items).toEqual([]);
    // Only its holder can remove it; another user gets the same 404 as for an unknown token.
    const path = `/me/devices/${encodeURIComponent(token)}`;
    expect((await h.as('erin')('DELETE', path)).status).toBe(404);
    expect((await h.as('frank')('DELETE', path)).status).toBe(204);
    expect(await h.data.get(deviceKey(token))).toBeUndefined();
  });

  it('two registrations of one token at once leave one device', async () => {
    const token = 'ExponentPushToken[zzzzzzzzzzzzzzzzzzzzzz]';
    const statuses = await Promise.all(
      [1, 2, 3].map(() =>
        h
          .as('gina')('POST', '/me/devices', { token })
          .then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200 || s === 201)).toBe(true);
    expect((await h.data.query({ index: 'GSI1', partition: 'DEVICES#gina' })).items).toHaveLength(1);
  });
});
