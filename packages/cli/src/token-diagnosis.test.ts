/** Why a token was refused, said in the terminal under lift dev and lift invoke; never to the client. */
import { createApp } from '@lift/core';
import { createAccessControl, jwtAuthenticator } from '@lift/core/auth';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintPlan } from './dashboard/minting.js';
import { DEV_ISSUER, type DevIssuer, loadDevIssuer, mintDevToken } from './dev-issuer.js';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture, hasStack, lift } from './fixtures/harness.js';
import { type CognitoStandIn, startCognitoStandIn } from './standins/cognito/index.js';
import { explainRefusedToken } from './token-diagnosis.js';
import { type ServiceTrust, serviceTrust } from './trusted-issuers.js';

const entry = fixture('secured.ts');
let server: DevServer;
let issuer: DevIssuer;
const logs: string[] = [];

beforeAll(async () => {
  server = await startDevServer({ entry, port: 0, watch: false, log: (l) => logs.push(l) });
  issuer = loadDevIssuer(entry);
}, 60_000);
afterAll(() => server?.close());

/** Calls /me with the token; returns the client's answer and what the terminal said about it. */
async function call(authorization?: string): Promise<{ status: number; body: string; reason?: string }> {
  const before = logs.length;
  const res = await fetch(`${server.url}/me`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  const body = await res.text();
  // The line comes once the reason is worked out, after the client has its answer.
  const deadline = Date.now() + 5_000;
  while (!logs.slice(before).some((l) => l.startsWith('GET /me ')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  const said = logs.slice(before);
  expect(said.filter((l) => l.startsWith('GET /me '))).toHaveLength(1);
  const reason = said.find((l) => l.startsWith('  401 because '));
  return { status: res.status, body, ...(reason === undefined ? {} : { reason }) };
}

/** A token signed by a key that is not the dev issuer's. */
async function foreignToken(claims: { iss: string; kid: string }): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: claims.kid })
    .setIssuer(claims.iss)
    .setSubject('ada')
    .setAudience('cli-test')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

describe('a refused token under lift dev', () => {
  it('accepts a good token and says nothing', async () => {
    const ok = await call(`Bearer ${await mintDevToken(issuer, { sub: 'ada', audience: 'cli-test' })}`);
    expect(ok.status).toBe(200);
    expect(ok.reason).toBeUndefined();
  });

  it('gives the client the generic 401 and the terminal the reason with the lift token flag that fixes it', async () => {
    const generic = await call();
    expect(generic.status).toBe(401);
    // No bearer token: nothing to explain (the service may use another kind of credentials).
    expect(generic.reason).toBeUndefined();

    const expired = await call(
      `Bearer ${await mintDevToken(issuer, { sub: 'ada', tenant: 'acme', audience: 'cli-test', ttlSeconds: -270 })}`,
    );
    expect(expired.reason).toMatch(
      /^ {2}401 because the token expired 5 min ago \(.+Z\); mint a new one, --ttl/,
    );
    expect(expired.reason).toContain('--sub ada --tenant acme --aud cli-test --ttl 3600');

    const audience = await call(
      `Bearer ${await mintDevToken(issuer, { sub: 'ada', audience: 'other-api' })}`,
    );
    expect(audience.reason).toContain('most likely the audience, which is "other-api"');
    expect(audience.reason).toContain('--sub ada --aud AUDIENCE');

    const defaultAudience = await call(`Bearer ${await mintDevToken(issuer, { sub: 'ada' })}`);
    expect(defaultAudience.reason).toContain(`"lift-dev" (lift token's default when --aud is not given)`);

    const unknownIssuer = await call(
      `Bearer ${await foreignToken({ iss: 'https://elsewhere.example', kid: 'k1' })}`,
    );
    expect(unknownIssuer.reason).toContain(
      `the token's issuer is "https://elsewhere.example", not lift's development issuer (${DEV_ISSUER})`,
    );

    const badSignature = await call(`Bearer ${await foreignToken({ iss: DEV_ISSUER, kid: issuer.kid })}`);
    expect(badSignature.reason).toContain('bad signature');

    const oldKey = await call(`Bearer ${await foreignToken({ iss: DEV_ISSUER, kid: 'dev-old' })}`);
    expect(oldKey.reason).toContain('a development key this project no longer has (kid dev-old');

    const notJwt = await call('Bearer not-a-token');
    expect(notJwt.reason).toContain('the bearer token is not a JWT');

    // Whatever was wrong, the client gets the service's one answer to a bad token, and no reason.
    const withoutId = (body: string) => body.replace(/"requestId":"[^"]+"/, '');
    for (const refused of [expired, audience, defaultAudience, unknownIssuer, badSignature, oldKey, notJwt]) {
      expect(refused.status).toBe(401);
      expect(withoutId(refused.body)).toBe(withoutId(notJwt.body));
      expect(refused.body).not.toMatch(/expired|audience|issuer|signature|lift token/i);
      expect(refused.reason).toContain('lift token ');
    }
  });
});

describe('a refused token under lift invoke', () => {
  it('prints the reason on stderr and the 401 on stdout', async () => {
    const token = await mintDevToken(issuer, { sub: 'ada', audience: 'cli-test', ttlSeconds: -90 });
    const result = await lift([
      'invoke',
      entry,
      '--path',
      '/me',
      '--header',
      `Authorization: Bearer ${token}`,
    ]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { statusCode: number }).statusCode).toBe(401);
    expect(result.stderr).toMatch(/^lift invoke: 401 because the token expired 2 min ago/m);
    expect(hasStack(result.stderr)).toBe(false);
  }, 30_000);
});

describe('expired tokens from lift token', () => {
  it('--ttl -1 is already refused: the clock skew services allow is taken into account', async () => {
    const token = await mintDevToken(issuer, { sub: 'ada', audience: 'cli-test', ttlSeconds: -1 });
    const result = await lift([
      'invoke',
      entry,
      '--path',
      '/me',
      '--header',
      `Authorization: Bearer ${token}`,
    ]);
    expect((JSON.parse(result.stdout) as { statusCode: number }).statusCode).toBe(401);
    expect(result.stderr).toMatch(/401 because the token expired/);
  });
});

describe('measured against what the service trusts', () => {
  let pool: CognitoStandIn;
  let trust: ServiceTrust;
  let keySets: { issuer: string; jwksUrl: string }[];
  beforeAll(async () => {
    pool = await startCognitoStandIn({
      pools: [{ id: 'us-east-1_Diag1', clients: [{ id: 'diagclient' }] }],
      log: () => {},
    });
    const info = pool.pools[0];
    if (info === undefined) throw new Error('no pool');
    trust = { issuers: [{ issuer: info.issuer, audience: ['diagclient'], tokenUse: 'id' }], custom: 0 };
    keySets = [{ issuer: info.issuer, jwksUrl: info.jwksUrl }];
  });
  afterAll(() => pool?.close());
  const explain = (token: string, t: ServiceTrust = trust) =>
    explainRefusedToken(`Bearer ${token}`, issuer, entry, { trust: t, keySets });

  it('a development token for a service that trusts only its user pool: names what it trusts', async () => {
    const why = await explain(await mintDevToken(issuer, { sub: 'ada', audience: 'cli-test' }));
    expect(why).toContain(
      `the token's issuer is "${DEV_ISSUER}", and the service trusts only "${pool.pools[0]?.issuer}"`,
    );
    expect(why).toContain('/_lift/#token');
    expect(why).not.toContain('are right');
  });

  it('a pool token the service takes: says everything it checked matches, and what is left', async () => {
    const { token } = await pool.mintIdToken('us-east-1_Diag1', { email: 'ada@example.com' });
    const why = await explain(token);
    expect(why).toMatch(
      /^the token's issuer, key, signature, times and audience match what the service trusts/,
    );
    expect(why).toContain('tenant');
  });

  it('a pool token for another client, or of the wrong use: says what the service expects', async () => {
    const { token } = await pool.mintIdToken('us-east-1_Diag1', { email: 'bo@example.com' });
    const other: ServiceTrust = {
      issuers: [{ issuer: pool.pools[0]?.issuer ?? '', audience: ['mobile-app'], tokenUse: 'id' }],
      custom: 0,
    };
    expect(await explain(token, other)).toContain(
      `the token's audience is "diagclient", and the service expects "mobile-app" from ${pool.pools[0]?.issuer}`,
    );
    const access: ServiceTrust = {
      issuers: [{ issuer: pool.pools[0]?.issuer ?? '', audience: ['diagclient'], tokenUse: 'access' }],
      custom: 0,
    };
    expect(await explain(token, access)).toContain('the service takes access tokens');
  });

  it('a pool the service holds its own keys for (jwks): the stand-in cannot sign for it, and says so', async () => {
    const info = pool.pools[0];
    if (info === undefined) throw new Error('no pool');
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const app = createApp({
      service: 'given-keys',
      logger: false,
      metrics: false,
      access: createAccessControl({
        authenticators: [
          jwtAuthenticator({
            issuers: [
              {
                cognito: { userPoolId: 'us-east-1_Diag1', tokenUse: 'id', clientId: 'diagclient' },
                jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'given', alg: 'RS256' }] },
              } as never,
            ],
          }),
        ],
      }),
    });
    const given = serviceTrust(app);
    expect(given?.issuers).toEqual([
      { issuer: info.issuer, audience: ['diagclient'], tokenUse: 'id', keysGiven: true },
    ]);
    if (given === undefined) throw new Error('no trust');
    // The token is the stand-in's, right in every claim: only the keys tell it apart.
    const { token } = await pool.mintIdToken('us-east-1_Diag1', { email: 'cy@example.com' });
    const why = await explain(token, given);
    expect(why).toContain('with the keys given in its options ("jwks")');
    expect(why).not.toContain('match what the service trusts');
    // Without a stand-in holding that pool, nothing says who signed it: the other checks still speak.
    const unknownSigner = await explainRefusedToken(`Bearer ${token}`, issuer, entry, {
      trust: given,
      keySets: [],
    });
    expect(unknownSigner).not.toContain('"jwks"');
    expect(unknownSigner).toContain('match what the service trusts');
    const plan = mintPlan({
      devIssuer: DEV_ISSUER,
      trust: () => given,
      userPools: () => [
        {
          name: 'users',
          poolId: 'us-east-1_Diag1',
          clientId: 'diagclient',
          issuer: info.issuer,
          jwksUrl: info.jwksUrl,
        },
      ],
      mintDev: async () => 'unused',
      mintIdToken: async () => {
        throw new Error('unused');
      },
    });
    expect(plan.targets).toEqual([]);
    expect(plan.trusted?.[0]?.why).toContain('holds this pool\'s keys in its options ("jwks")');
  });

  it('a token naming the pool but signed with another key: says so', async () => {
    const forged = await foreignToken({ iss: pool.pools[0]?.issuer ?? '', kid: 'k1' });
    expect(await explain(forged)).toContain("not signed by the local stand-in's key");
  });

  it('an issuer lift dev holds no key of: does not claim the signature was checked', async () => {
    const elsewhere: ServiceTrust = {
      issuers: [{ issuer: 'https://elsewhere.example', audience: ['cli-test'] }],
      custom: 0,
    };
    const why = await explain(await foreignToken({ iss: 'https://elsewhere.example', kid: 'k1' }), elsewhere);
    expect(why).toContain("the token's issuer, times and audience match");
    expect(why).toContain('so the signature is not checked here');
  });

  it('a service with no JWT issuer at all', async () => {
    const why = await explain(await mintDevToken(issuer, { sub: 'ada' }), { issuers: [], custom: 0 });
    expect(why).toContain('the service trusts no JWT issuer');
  });
});
