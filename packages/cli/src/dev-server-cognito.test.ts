/**
 * lift dev starts a local user pool for a service that declares one: the service's own Cognito
 * calls sign a user in by email code (read from GET /_lift/mail), and the id token verifies with the
 * pool's real issuer name through the service's ordinary authenticator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';

describe('lift dev with a user pool', () => {
  const logs: string[] = [];
  let server: DevServer;
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startDevServer({
      entry: fixture('signin.ts'),
      port: 0,
      watch: false,
      log: (l) => logs.push(l),
    });
  }, 60_000);
  afterAll(() => server?.close());

  it('signs in by email code and verifies the id token', async () => {
    expect(logs.some((l) => /^user pool signin-fixture-users: us-east-1_\w{9} /.test(l))).toBe(true);
    const login = await post('/login', { email: 'ada@example.com' });
    expect(login.status).toBe(200);
    const { session } = (await login.json()) as { session: string };
    const mail = (await (await fetch(`${server.url}/_lift/mail`)).json()) as { to: string; text: string }[];
    expect(mail[0]?.to).toBe('ada@example.com');
    const code = /(\d{6,8})/.exec(mail[0]?.text ?? '')?.[1] as string;
    expect(logs.some((l) => l.includes(`(code ${code})`))).toBe(true);

    const wrong = await post('/verify', { email: 'ada@example.com', session, code: '00000000' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'INVALID_CODE' } });

    const verified = await post('/verify', { email: 'ada@example.com', session, code });
    expect(verified.status).toBe(200);
    const { idToken, refreshToken } = (await verified.json()) as { idToken: string; refreshToken: string };
    expect(refreshToken).toEqual(expect.any(String));
    const me = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${idToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'ada@example.com' });
    // A token of another pool's issuer is refused.
    const forged = idToken.split('.');
    const payload = JSON.parse(Buffer.from(forged[1] as string, 'base64url').toString());
    payload.iss = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other1234';
    forged[1] = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const refused = await fetch(`${server.url}/me`, {
      headers: { authorization: `Bearer ${forged.join('.')}` },
    });
    expect(refused.status).toBe(401);
  });

  it('answers a second login for the same email the same way (no account probing)', async () => {
    const first = await post('/login', { email: 'bob@example.com' });
    const again = await post('/login', { email: 'bob@example.com' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(Object.keys((await again.json()) as object)).toEqual(['session']);
  });

  it('code guessing: the third wrong code ends the sign-in, and the right code no longer works', async () => {
    const email = 'eve@example.com';
    const { session } = (await (await post('/login', { email })).json()) as { session: string };
    const mail = (await (await fetch(`${server.url}/_lift/mail`)).json()) as { to: string; text: string }[];
    const code = /(\d{6,8})/.exec(mail.find((m) => m.to === email)?.text ?? '')?.[1] as string;
    const guesses: string[] = [];
    for (const guess of ['11111111', '22222222', '33333333']) {
      const res = await post('/verify', { email, session, code: guess });
      guesses.push(((await res.json()) as { error: { code: string } }).error.code);
    }
    expect(guesses).toEqual(['INVALID_CODE', 'INVALID_CODE', 'INVALID_CODE']);
    const late = await post('/verify', { email, session, code });
    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ error: { code: 'SIGN_IN_EXPIRED' } });
  });
});
