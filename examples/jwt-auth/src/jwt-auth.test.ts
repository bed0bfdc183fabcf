/** The jwt-auth example through a real `lift dev` server, with tokens from its local issuer. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type DevServer, loadDevIssuer, mintDevToken, startDevServer } from '@lift/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./handler.ts', import.meta.url));
let server: DevServer;
const token = (options: Parameters<typeof mintDevToken>[1]) =>
  mintDevToken(loadDevIssuer(entry), { audience: 'jwt-auth-example', ...options });
const call = (path: string, bearer?: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }), ...init.headers },
  });

beforeAll(async () => {
  server = await startDevServer({ entry, port: 0, watch: false, log: () => {} });
}, 60_000);
afterAll(() => server?.close());

describe('jwt-auth example', () => {
  it('serves public routes without a token and refuses protected ones', async () => {
    expect((await call('/health')).status).toBe(200);
    expect((await call('/me')).status).toBe(401);
  });

  it('verifies tokens from the local issuer, whose keys come from the dev server over HTTP', async () => {
    const me = await call(
      '/me',
      await token({ sub: 'ada', tenant: 'acme', roles: ['company_admin'], scopes: ['notes:write'] }),
    );
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      userId: 'ada',
      tenantId: 'acme',
      roles: ['company_admin'],
      scopes: ['notes:write'],
    });
  });

  it('enforces permissions, scopes and tenant isolation', async () => {
    const admin = await token({ sub: 'ada', tenant: 'acme', roles: ['company_admin'] });
    const member = await token({ sub: 'bob', tenant: 'acme', roles: ['user'], scopes: ['notes:write'] });
    expect((await call('/tenants/acme/reports', admin)).status).toBe(200);
    expect((await call('/tenants/globex/reports', admin)).status).toBe(403);
    expect((await call('/tenants/acme/reports', member)).status).toBe(403);
    const note = await call('/tenants/acme/notes', member, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(note.status).toBe(201);
    expect(await note.json()).toEqual({ tenant: 'acme', by: 'bob', text: 'hi' });
    expect(
      (
        await call('/tenants/acme/notes', admin, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"text":"hi"}',
        })
      ).status,
    ).toBe(403);
  });

  it('reads a roles string as one role and refuses conflicting tenant claims', async () => {
    const joined = await token({
      sub: 'eve',
      tenant: 'acme',
      claims: { 'cognito:groups': 'user,company_admin' },
    });
    expect(await (await call('/me', joined)).json()).toMatchObject({ roles: ['user,company_admin'] });
    expect((await call('/tenants/acme/reports', joined)).status).toBe(403);
    const twoTenants = await token({ sub: 'eve', tenant: 'acme', claims: { tenant_id: 'globex' } });
    expect((await call('/me', twoTenants)).status).toBe(401);
  });

  it('refuses tokens for another audience or that have expired', async () => {
    expect(
      (await call('/me', await mintDevToken(loadDevIssuer(entry), { sub: 'ada', audience: 'other-api' })))
        .status,
    ).toBe(401);
    expect((await call('/me', await token({ sub: 'ada', ttlSeconds: -120 }))).status).toBe(401);
  });

  it('lift token mints a token the running service accepts', async () => {
    const bin = fileURLToPath(new URL('../../../packages/cli/src/bin.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=@lift/source',
        '--import',
        'tsx',
        bin,
        'token',
        entry,
        '--sub',
        'cli-user',
        '--tenant',
        'acme',
        '--roles',
        'user',
        '--aud',
        'jwt-auth-example',
      ],
      { env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    const res = await call('/me', stdout.trim());
    expect(await res.json()).toMatchObject({ userId: 'cli-user', tenantId: 'acme', roles: ['user'] });
  }, 30_000);
});
