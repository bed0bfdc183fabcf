/** The dashboard's token minter against a real `lift dev` on the dashboard fixture, which trusts lift's
 * development issuer and its user pool's ID tokens. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../dev-server.js';
import { fixture } from '../fixtures/harness.js';

let server: DevServer;
const logs: string[] = [];

beforeAll(async () => {
  server = await startDevServer({
    entry: fixture('dashboard.ts'),
    port: 0,
    watch: false,
    schedules: false,
    log: (l) => logs.push(l),
  });
}, 60_000);
afterAll(() => server?.close());

// biome-ignore lint/suspicious/noExplicitAny: a test client reading arbitrary JSON answers.
type Json = any;

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, body: await res.json() };
}
const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  json(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('dev tokens the service accepts', () => {
  it('lists the issuers the service trusts, with their audiences, and what it can mint for', async () => {
    const { body } = await json('/_lift/api/token');
    const pool = body.targets.find((t: { kind: string }) => t.kind === 'user-pool');
    expect(body.targets[0]).toMatchObject({ id: 'dev', kind: 'dev-issuer', audience: 'lift-dev' });
    expect(pool).toMatchObject({
      id: expect.stringMatching(/^pool:us-east-1_/),
      audience: expect.any(String),
    });
    expect(body.trusted).toEqual([
      { issuer: 'https://lift.dev/local-issuer', audience: ['lift-dev'], target: 'dev' },
      { issuer: pool.issuer, audience: [pool.audience], tokenUse: 'id', target: pool.id },
    ]);
    expect(body.note).toBeUndefined();
  });

  it('mints an ID token of the local user pool, creating the user, which the service accepts', async () => {
    const target = (await json('/_lift/api/token')).body.targets[1].id as string;
    const first = await postJson('/_lift/api/token', {
      target,
      email: 'dee@example.com',
      sub: 'dee-sub',
      tenant: 'tenant-d',
      roles: ['company_admin'],
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ sub: 'dee-sub', email: 'dee@example.com', created: true });
    const claims = JSON.parse(Buffer.from(first.body.token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({
      iss: first.body.issuer,
      aud: first.body.audience,
      sub: 'dee-sub',
      email: 'dee@example.com',
      'cognito:username': 'dee-sub',
      'cognito:groups': ['company_admin'],
      'custom:tenant_id': 'tenant-d',
      token_use: 'id',
    });
    const auth = { authorization: `Bearer ${first.body.token}` };
    const me = await json('/me', { headers: auth });
    expect(me.body).toEqual({ userId: 'dee-sub', tenantId: 'tenant-d' });
    expect((await postJson('/tenants/tenant-d/notes', { text: 'from the pool' }, auth)).status).toBe(200);
    // The same user again: found, not made twice.
    const again = await postJson('/_lift/api/token', { target, email: 'DEE@example.com' });
    expect(again.body).toMatchObject({ sub: 'dee-sub', created: false });
    const clash = await postJson('/_lift/api/token', { target, email: 'dee@example.com', sub: 'other' });
    expect(clash).toMatchObject({ status: 400, body: { message: expect.stringContaining('dee-sub') } });
    expect(
      (await postJson('/_lift/api/token', { target, email: 'dee@example.com', scopes: ['a'] })).body.message,
    ).toMatch(/no scopes/);
    expect((await postJson('/_lift/api/token', { target })).body.message).toMatch(/email is required/);
    expect(
      (await postJson('/_lift/api/token', { target: 'pool:us-east-1_Nope', email: 'a@b.c' })).status,
    ).toBe(400);
  });

  it('explains a refused token against the issuers the service trusts', async () => {
    const minted = await postJson('/_lift/api/token', { sub: 'ed', audience: 'another-api' });
    const before = logs.length;
    expect((await json('/me', { headers: { authorization: `Bearer ${minted.body.token}` } })).status).toBe(
      401,
    );
    await expect.poll(() => logs.slice(before).find((l) => l.startsWith('  401 because '))).toBeDefined();
    const why = logs.slice(before).find((l) => l.startsWith('  401 because ')) ?? '';
    expect(why).toContain(`the token's audience is "another-api", and the service expects "lift-dev"`);
    expect(why).toContain('--aud lift-dev');
  });
});
