/**
 * How the JWT authenticator holds keys: a key replaced under the same `kid` stops verifying once the
 * set is fetched again, keys given in the options are never fetched, and a token whose key is held
 * is verified without an await while one whose key set is not yet fetched waits for it. Tokens naming
 * a key being fetched for wait for that fetch; an issuer that cannot be reached at cold start is
 * tried once per retry delay, not once per request.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../context/principal.js';
import { createJwksCache, type JwksCacheOptions } from './jwks-cache.js';
import { jwtAuthenticator } from './jwt.js';
import { schemeOf } from './scheme.js';

const ISSUER = 'https://keys.lift.test';
const JWKS_URI = 'https://keys.lift.test/.well-known/jwks.json';

const keyPair = (kid: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
};

const sign = (key: { kid: string; privateKey: KeyObject }, now: number, sub = 'u1') =>
  new SignJWT({ sub, aud: 'api', exp: Math.floor(now / 1000) + 600 })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(ISSUER)
    .sign(key.privateKey);

const bearer = (token: string) =>
  ({ header: (name: string) => (name === 'authorization' ? `Bearer ${token}` : undefined) }) as never;

/** The authenticator most tests use: one issuer whose keys are at JWKS_URI, no verified-token cache. */
function keysAuthenticator(now: () => number, jwks: JwksCacheOptions) {
  return jwtAuthenticator({
    issuers: [{ issuer: ISSUER, audience: 'api', algorithms: ['RS256'], jwksUri: JWKS_URI }],
    cacheSize: 0,
    now,
    jwks,
  });
}

/** A key set endpoint a test takes down and brings back (`up`), counting the fetches it answers. */
function switchableIssuer(up: boolean, ...keys: unknown[]) {
  const issuer = {
    up,
    fetches: 0,
    fetchJwks: async () => {
      issuer.fetches += 1;
      if (!issuer.up) throw new Error('issuer down');
      return { keys };
    },
  };
  return issuer;
}

/** A promise the test settles, so requests can be started while a fetch is still under way. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Lets every request started so far run up to its wait for the key set. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The authenticator's answer: the user id, or `401` when it refused the token. */
async function userOf(answer: Principal | undefined | Promise<Principal | undefined>): Promise<string> {
  try {
    return (await answer)?.userId ?? 'none';
  } catch (error) {
    return String((error as { status?: number }).status);
  }
}

describe('JWT keys', () => {
  it('a key replaced under the same kid stops verifying once the set is fetched again', async () => {
    let clock = Date.now();
    const first = keyPair('k1');
    const replacement = keyPair('k1');
    let served = [first.jwk];
    const authenticate = keysAuthenticator(() => clock, {
      maxAgeMs: 60_000,
      fetchJwks: async () => ({ keys: served }),
    });
    expect(await userOf(authenticate(bearer(await sign(first, clock))))).toBe('u1');
    served = [replacement.jwk];
    clock += 120_000; // past maxAgeMs: the next token refreshes the set
    expect(await userOf(authenticate(bearer(await sign(first, clock))))).toBe('401');
    expect(await userOf(authenticate(bearer(await sign(replacement, clock, 'u2'))))).toBe('u2');
  });

  it('key withdrawn from its set: the request that refreshes the set is refused too', async () => {
    let clock = Date.now();
    const withdrawn = keyPair('k1');
    const next = keyPair('k2');
    let served = [withdrawn.jwk];
    const authenticate = keysAuthenticator(() => clock, {
      maxAgeMs: 60_000,
      fetchJwks: async () => ({ keys: served }),
    });
    expect(await userOf(authenticate(bearer(await sign(withdrawn, clock))))).toBe('u1');
    served = [next.jwk];
    clock += 120_000; // the set is stale: this very request refreshes it, and k1 is gone from it
    expect(await userOf(authenticate(bearer(await sign(withdrawn, clock))))).toBe('401');
  });

  it('forged long-lived token outlives a key rotation in the verified cache: refused within 5 minutes', async () => {
    let clock = Date.now();
    const leaked = keyPair('k1');
    const rotated = keyPair('k1');
    let served = [leaked.jwk];
    const authenticate = jwtAuthenticator({
      issuers: [{ issuer: ISSUER, audience: 'api', algorithms: ['RS256'], jwksUri: JWKS_URI }],
      now: () => clock,
      jwks: { maxAgeMs: 60_000, fetchJwks: async () => ({ keys: served }) },
    });
    // Signed with a leaked key, expiring in ten years: verified once, then served from the cache.
    const forged = await new SignJWT({
      sub: 'mallory',
      aud: 'api',
      exp: Math.floor(clock / 1000) + 10 * 365 * 86_400,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .sign(leaked.privateKey);
    expect(await userOf(authenticate(bearer(forged)))).toBe('mallory');
    served = [rotated.jwk];
    clock += 60_000;
    expect(await userOf(authenticate(bearer(forged)))).toBe('mallory'); // still cached: the bound is 5 minutes
    clock += 5 * 60_000;
    expect(await userOf(authenticate(bearer(forged)))).toBe('401');
  });

  it('keys given in the options are never fetched, however old', async () => {
    let clock = Date.now();
    let fetches = 0;
    const key = keyPair('given');
    const authenticate = jwtAuthenticator({
      issuers: [
        { issuer: ISSUER, audience: 'api', algorithms: ['RS256'], jwks: { keys: [key.jwk] } as never },
      ],
      cacheSize: 0,
      now: () => clock,
      jwks: {
        maxAgeMs: 60_000,
        fetchJwks: async () => {
          fetches += 1;
          throw new Error('nothing to fetch');
        },
      },
    });
    clock += 3_600_000;
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    // A made-up kid against given keys is a bad token (401), never a fetch, never a 503.
    const forged = { ...keyPair('made-up') };
    for (let i = 0; i < 3; i++)
      expect(await userOf(authenticate(bearer(await sign(forged, clock))))).toBe('401');
    expect(fetches).toBe(0);
  });

  it('describes which issuers hold their keys given (never fetched), so lift dev knows no stand-in signs for them', () => {
    const key = keyPair('given-key');
    const scheme = schemeOf(
      jwtAuthenticator({
        issuers: [
          {
            issuer: 'https://given.example',
            audience: 'api',
            algorithms: ['RS256'],
            jwks: { keys: [key.jwk] } as never,
          },
          {
            issuer: 'https://fetched.example',
            audience: 'api',
            algorithms: ['RS256'],
            jwksUri: 'https://fetched.example/jwks',
          },
          {
            cognito: { userPoolId: 'eu-west-1_Given1', tokenUse: 'id', clientId: 'c1' },
            jwks: { keys: [key.jwk] } as never,
          },
          { cognito: { userPoolId: 'eu-west-1_Fetch1', tokenUse: 'id', clientId: 'c1' } },
        ],
      }),
    );
    const trusts = scheme.type === 'jwt' ? scheme.trusts : undefined;
    expect(trusts?.map((t) => [t.issuer, t.keys])).toEqual([
      ['https://given.example', 'given'],
      ['https://fetched.example', undefined],
      ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Given1', 'given'],
      ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Fetch1', undefined],
    ]);
  });

  it('made-up kid against a Cognito pool with given keys: refused, the real pool never fetched', async () => {
    let clock = Date.now();
    const fetched: string[] = [];
    const key = keyPair('pool-key');
    const pool = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123';
    const authenticate = jwtAuthenticator({
      issuers: [
        {
          cognito: { userPoolId: 'eu-west-1_Abc123', tokenUse: 'access', clientId: 'client-1' },
          jwks: { keys: [key.jwk] } as never,
        },
      ],
      cacheSize: 0,
      now: () => clock,
      jwks: {
        maxAgeMs: 60_000,
        unknownKidCooldownMs: 1_000,
        fetchJwks: async (uri) => {
          fetched.push(uri);
          throw new Error('the pool is not to be asked');
        },
      },
    });
    const accessToken = (signer: { kid: string; privateKey: KeyObject }) =>
      new SignJWT({
        sub: 'u1',
        client_id: 'client-1',
        token_use: 'access',
        exp: Math.floor(clock / 1000) + 600,
      })
        .setProtectedHeader({ alg: 'RS256', kid: signer.kid })
        .setIssuer(pool)
        .sign(signer.privateKey);
    clock += 3_600_000;
    expect(await userOf(authenticate(bearer(await accessToken(key))))).toBe('u1');
    for (let i = 0; i < 3; i++) {
      clock += 2_000;
      expect(await userOf(authenticate(bearer(await accessToken(keyPair(`made-up-${i}`)))))).toBe('401');
    }
    expect(fetched).toEqual([]);
  });

  it('verifies without an await when the key is held, and waits for a key set not yet fetched', async () => {
    const key = keyPair('k1');
    const authenticate = jwtAuthenticator({
      issuers: [{ issuer: ISSUER, audience: 'api', algorithms: ['RS256'], jwksUri: JWKS_URI }],
      cacheSize: 0,
      jwks: { fetchJwks: async () => ({ keys: [key.jwk] }) },
    });
    const token = await sign(key, Date.now());
    const first = authenticate(bearer(token));
    expect(first).toBeInstanceOf(Promise);
    expect(await userOf(first)).toBe('u1');
    const second = authenticate(bearer(token));
    expect(second).not.toBeInstanceOf(Promise);
    expect(await userOf(second)).toBe('u1');
    // A bad signature is refused at once too, with the same 401.
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${(await sign(keyPair('k1'), Date.now())).split('.')[2]}`;
    expect(() => authenticate(bearer(forged))).toThrow(/Invalid token/);
  });

  it('concurrent tokens with a newly rotated kid are all verified, not refused by the cooldown', async () => {
    let clock = Date.now();
    const old = keyPair('k1');
    const rotated = keyPair('k2');
    let served = [old.jwk];
    let fetches = 0;
    let fetched = Promise.resolve();
    const authenticate = keysAuthenticator(() => clock, {
      fetchJwks: async () => {
        fetches += 1;
        const keys = served;
        await fetched;
        return { keys };
      },
    });
    expect(await userOf(authenticate(bearer(await sign(old, clock))))).toBe('u1');
    served = [old.jwk, rotated.jwk];
    clock += 30_000; // the cold-start fetch was for an unknown kid too: past its cooldown
    const slow = gate();
    fetched = slow.opened;
    const tokens = [await sign(rotated, clock, 'u2'), await sign(rotated, clock, 'u3')];
    const madeUp = await sign(keyPair('made-up'), clock, 'mallory');
    // The first starts the fetch for k2; the second and a made-up kid arrive while it is under way.
    const answers = [...tokens, madeUp].map((token) => userOf(authenticate(bearer(token))));
    await settle();
    slow.open();
    expect(await Promise.all(answers)).toEqual(['u2', 'u3', '401']);
    expect(fetches).toBe(2);
    // The cooldown still holds for new fetches: another made-up kid is refused without one.
    expect(await userOf(authenticate(bearer(await sign(keyPair('other'), clock))))).toBe('401');
    expect(fetches).toBe(2);
  });

  it('an unreachable issuer at cold start is fetched once per retry delay, not once per request', async () => {
    let clock = Date.now();
    let fetches = 0;
    let fetched = Promise.resolve();
    const key = keyPair('k1');
    const authenticate = keysAuthenticator(() => clock, {
      fetchJwks: async () => {
        fetches += 1;
        await fetched;
        throw new Error('issuer down');
      },
    });
    const token = await sign(key, clock);
    const slow = gate();
    fetched = slow.opened;
    const answers = [1, 2, 3].map(() => userOf(authenticate(bearer(token))));
    await settle();
    slow.open();
    // 503, not 401: the tokens may be good, the keys could not be fetched.
    expect(await Promise.all(answers)).toEqual(['503', '503', '503']); // sharing the one fetch
    expect(fetches).toBe(1);
    for (let i = 0; i < 5; i++) expect(await userOf(authenticate(bearer(token)))).toBe('503');
    clock += 999; // the retry delay is min(cooldown 30 s, 1 s)
    expect(await userOf(authenticate(bearer(token)))).toBe('503');
    expect(fetches).toBe(1);
    clock += 1;
    expect(await userOf(authenticate(bearer(token)))).toBe('503');
    expect(fetches).toBe(2);
  });

  it('an issuer unreachable at cold start is tried again after the retry delay, and its tokens then verify', async () => {
    let clock = Date.now();
    const key = keyPair('k1');
    const issuer = switchableIssuer(false, key.jwk);
    const authenticate = keysAuthenticator(() => clock, {
      maxAgeMs: 60_000,
      fetchJwks: issuer.fetchJwks,
    });
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('503');
    issuer.up = true;
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('503'); // within the delay
    expect(issuer.fetches).toBe(1);
    clock += 1_000;
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    expect(issuer.fetches).toBe(2);
    // Once a set is held, stale-if-error applies again: the issuer going down keeps its keys verifying.
    issuer.up = false;
    clock += 120_000;
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    expect(issuer.fetches).toBe(3);
  });

  it('getJwks against an unreachable issuer at cold start does not fetch on every call', async () => {
    let clock = Date.now();
    const key = keyPair('k1');
    const issuer = switchableIssuer(false, key.jwk);
    const cache = createJwksCache({
      unknownKidCooldownMs: 500, // shorter than 1 s: the retry delay follows it
      now: () => clock,
      fetchJwks: issuer.fetchJwks,
    });
    await expect(cache.getJwks(JWKS_URI)).rejects.toThrow(/could not be fetched: Error: issuer down/);
    await expect(cache.getJwks(JWKS_URI)).rejects.toThrow(/could not be fetched, recently/);
    expect(issuer.fetches).toBe(1);
    issuer.up = true;
    clock += 499;
    await expect(cache.getJwks(JWKS_URI)).rejects.toThrow(/could not be fetched, recently/);
    clock += 1;
    expect((await cache.getJwks(JWKS_URI)).keys).toHaveLength(1);
    expect(issuer.fetches).toBe(2);
  });

  it('an issuer down when its held set goes stale is fetched once per retry delay, its keys answering meanwhile', async () => {
    let clock = Date.now();
    const key = keyPair('k1');
    const issuer = switchableIssuer(true, key.jwk);
    const authenticate = keysAuthenticator(() => clock, {
      maxAgeMs: 60_000,
      fetchJwks: issuer.fetchJwks,
    });
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    issuer.up = false;
    clock += 120_000; // stale: the next request tries a refresh, fails, and verifies with the held key
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    expect(issuer.fetches).toBe(2);
    // Within the retry delay, requests verify with the held key without a fetch to wait for.
    for (let i = 0; i < 5; i++) expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    expect(issuer.fetches).toBe(2);
    clock += 1_000;
    issuer.up = true;
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    expect(issuer.fetches).toBe(3);
  });

  it('getJwks with a stale set and a refresh failed just now answers with the set, without a fetch', async () => {
    let clock = Date.now();
    const key = keyPair('k1');
    const issuer = switchableIssuer(true, key.jwk);
    const cache = createJwksCache({
      maxAgeMs: 60_000,
      now: () => clock,
      fetchJwks: issuer.fetchJwks,
    });
    await cache.getJwks(JWKS_URI);
    issuer.up = false;
    clock += 120_000;
    expect((await cache.getJwks(JWKS_URI)).keys).toHaveLength(1); // stale-if-error, one failed fetch
    expect((await cache.getJwks(JWKS_URI)).keys).toHaveLength(1); // within the delay: no fetch at all
    expect(issuer.fetches).toBe(2);
    clock += 1_000;
    issuer.up = true;
    await cache.getJwks(JWKS_URI);
    expect(issuer.fetches).toBe(3);
  });

  it('a key withdrawn while a refresh is under way is refused, even just after a failed refresh', async () => {
    let clock = Date.now();
    let fetches = 0;
    const first = keyPair('k1');
    const second = keyPair('k2');
    let answer: () => Promise<unknown> = async () => ({ keys: [first.jwk] });
    const authenticate = keysAuthenticator(() => clock, {
      maxAgeMs: 60_000,
      fetchJwks: () => {
        fetches += 1;
        return answer();
      },
    });
    expect(await userOf(authenticate(bearer(await sign(first, clock))))).toBe('u1');
    clock += 120_000; // stale, and past the unknown-kid cooldown of the first fetch
    answer = async () => {
      throw new Error('issuer down');
    };
    expect(await userOf(authenticate(bearer(await sign(first, clock))))).toBe('u1'); // stale-if-error
    // Within the retry delay, a token with a new kid starts a refresh, which withdraws k1; a k1 token
    // arriving meanwhile waits for that refresh instead of being answered by the held, stale key.
    const slow = gate();
    answer = () => slow.opened.then(() => ({ keys: [second.jwk] }));
    const rotated = userOf(authenticate(bearer(await sign(second, clock, 'u2'))));
    await settle();
    const withdrawn = userOf(authenticate(bearer(await sign(first, clock))));
    await settle();
    slow.open();
    expect(await Promise.all([rotated, withdrawn])).toEqual(['u2', '401']);
    expect(fetches).toBe(3);
  });

  it('a kid rotated in during an outage is answered 503 for the whole cooldown, not 401 after the first', async () => {
    let clock = Date.now();
    const first = keyPair('k1');
    const rotated = keyPair('k2');
    const issuer = switchableIssuer(true, first.jwk, rotated.jwk);
    const authenticate = keysAuthenticator(() => clock, {
      fetchJwks: issuer.fetchJwks,
    });
    expect(await userOf(authenticate(bearer(await sign(first, clock))))).toBe('u1');
    clock += 30_000; // past the cold-start fetch's cooldown
    issuer.up = false;
    const token = await sign({ ...rotated, kid: 'k3' }, clock);
    expect(await userOf(authenticate(bearer(token)))).toBe('503');
    clock += 2_000; // within the cooldown: no fetch, and still not called a bad token
    expect(await userOf(authenticate(bearer(token)))).toBe('503');
    issuer.up = true;
    clock += 30_000;
    expect(await userOf(authenticate(bearer(await sign(rotated, clock, 'u2'))))).toBe('u2');
  });

  it('a fetcher that throws at once fails the fetch as one that rejects: 503 cold, stale-if-error held', async () => {
    let clock = Date.now();
    let up = false;
    const key = keyPair('k1');
    const authenticate = keysAuthenticator(() => clock, {
      maxAgeMs: 60_000,
      fetchJwks: (() => {
        if (!up) throw new Error('no network');
        return Promise.resolve({ keys: [key.jwk] });
      }) as never,
    });
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('503');
    up = true;
    clock += 1_000;
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
    up = false;
    clock += 120_000;
    expect(await userOf(authenticate(bearer(await sign(key, clock))))).toBe('u1');
  });
});
