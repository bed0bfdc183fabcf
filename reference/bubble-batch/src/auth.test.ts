/** Sign-in routes: generic answers, and the `auth` limits per IP and per email (counted in DynamoDB). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(() => h?.close());

const login = (email: string, sourceIp: string) =>
  h.anonymous('POST', '/auth/login', { email }, { sourceIp });

describe('POST /auth/login', () => {
  it('answers the same for any email, and passes it on normalised', async () => {
    const a = await login('  Ada@Example.com ', '198.51.100.1');
    const b = await login('nobody-registered@example.com', '198.51.100.1');
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    const strip = (body: Record<string, unknown>) => ({ ...body, session: '<session>' });
    expect(strip(a.json())).toEqual(strip(b.json()));
    expect(h.signIns.slice(0, 2)).toEqual(['ada@example.com', 'nobody-registered@example.com']);
    expect(a.headers.get('ratelimit-policy')).toBe('"auth";q=5;w=300, "auth-email";q=5;w=300');
  });

  it('refuses a sixth attempt from one IP within 5 minutes, whatever the email', async () => {
    const ip = '198.51.100.2';
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(`user${i}@example.com`, ip)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    const refused = await login('other@example.com', ip);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await login('other@example.com', '198.51.100.3')).status).toBe(202);
  });

  it('refuses a sixth attempt for one email, whatever the IP (spelled in any case)', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await login(i % 2 === 0 ? 'target@example.com' : 'TARGET@example.com', `192.0.2.${10 + i}`)).status,
      );
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect((await login('someone-else@example.com', '192.0.2.50')).status).toBe(202);
  });

  it('padded email: whitespace around an address counts against that address', async () => {
    const padded = `padded@example.com${' '.repeat(400)}`;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(padded, `203.0.113.${i}`)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect((await login('\tpadded@example.com', '203.0.113.99')).status).toBe(429);
  });

  it('validates the email (422) after counting it', async () => {
    const res = await login('not an email', '198.51.100.9');
    expect(res.status).toBe(422);
  });
});

describe('POST /auth/verify', () => {
  const verify = (code: string, sourceIp = '198.51.100.20', email = 'ada@example.com') =>
    h.anonymous('POST', '/auth/verify', { email, session: 's', code }, { sourceIp });

  it('returns the tokens for the right code, a 401 for a wrong one', async () => {
    const ok = await verify('12345678');
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({
      idToken: 'id',
      accessToken: 'access',
      refreshToken: 'refresh',
      expiresIn: 3600,
    });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const wrong = await verify('00000000');
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'INVALID_CODE' } });
    expect((await verify('12ab')).status).toBe(422);
  });

  it('limits code guessing per email', async () => {
    const statuses = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await verify('00000000', `203.0.113.${i}`, 'guessed@example.com')).status);
    // The 'verify-email' limit (10 per 5 minutes), though every attempt came from another IP.
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
