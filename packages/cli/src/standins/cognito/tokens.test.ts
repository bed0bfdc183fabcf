/** The stand-in's tokens, checked the way services check Cognito's: claims, signature, key set. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthenticationResultType,
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CognitoStandIn,
  type CognitoStandInOptions,
  otpCodeFrom,
  startCognitoStandIn,
} from './index.js';

const POOL = 'us-east-1_AbCdEf123';
const CLIENT = 'appclient1234567890abcdefg';
const OTHER_CLIENT = 'adminclient';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let standIn: CognitoStandIn;
let client: CognitoIdentityProviderClient;
let clock = Date.now();
let users = 0;

function options(extra: Partial<CognitoStandInOptions> = {}): CognitoStandInOptions {
  return {
    pools: [{ id: POOL, clients: [{ id: CLIENT }, { id: OTHER_CLIENT }] }],
    now: () => clock,
    ...extra,
  };
}

beforeAll(async () => {
  standIn = await startCognitoStandIn(options());
  client = new CognitoIdentityProviderClient({
    endpoint: standIn.endpoint,
    region: standIn.region,
    credentials,
  });
});
afterAll(async () => {
  client?.destroy();
  await standIn?.close();
});
afterEach(() => {
  clock = Date.now();
});

/** Signs a new user up and in on `on`; returns the tokens. */
async function signIn(
  on: { standIn: CognitoStandIn; client: CognitoIdentityProviderClient } = { standIn, client },
  attributes: { Name: string; Value: string }[] = [],
): Promise<{ email: string; sub: string; tokens: AuthenticationResultType }> {
  users += 1;
  const email = `ada${users}@example.com`;
  const signedUp = await on.client.send(
    new SignUpCommand({ ClientId: CLIENT, Username: email, UserAttributes: attributes }),
  );
  const initiated = await on.client.send(
    new InitiateAuthCommand({
      ClientId: CLIENT,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
    }),
  );
  const out = await on.client.send(
    new RespondToAuthChallengeCommand({
      ClientId: CLIENT,
      ChallengeName: 'EMAIL_OTP',
      Session: initiated.Session,
      ChallengeResponses: {
        USERNAME: email,
        EMAIL_OTP_CODE: otpCodeFrom(on.standIn.mailbox.latest(email)?.text ?? '') ?? '',
      },
    }),
  );
  return { email, sub: signedUp.UserSub ?? '', tokens: out.AuthenticationResult ?? {} };
}

async function jwksOf(on: CognitoStandIn): Promise<Jwks> {
  return (await (await fetch(on.jwksUrl(POOL))).json()) as Jwks;
}

/** Verifiers as a service builds them, fed the stand-in's key set so they never call AWS. */
async function verifiers(on: CognitoStandIn) {
  const jwks = await jwksOf(on);
  const id = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'id', clientId: CLIENT });
  const access = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: CLIENT });
  id.cacheJwks(jwks);
  access.cacheJwks(jwks);
  return { id, access };
}

function refresh(
  RefreshToken: string,
  AuthFlow: 'REFRESH_TOKEN_AUTH' | 'REFRESH_TOKEN' = 'REFRESH_TOKEN_AUTH',
) {
  return client.send(
    new InitiateAuthCommand({ ClientId: CLIENT, AuthFlow, AuthParameters: { REFRESH_TOKEN: RefreshToken } }),
  );
}

describe('tokens', () => {
  it('verify with aws-jwt-verify against the served key set, with Cognito’s issuer', async () => {
    const { email, sub, tokens } = await signIn();
    const verify = await verifiers(standIn);
    const id = await verify.id.verify(tokens.IdToken ?? '');
    const access = await verify.access.verify(tokens.AccessToken ?? '');
    expect(id).toMatchObject({ sub, email, email_verified: true, aud: CLIENT, token_use: 'id' });
    expect(id.iss).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${POOL}`);
    expect(access).toMatchObject({
      sub,
      client_id: CLIENT,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: sub,
    });
  });

  it('carry exactly Cognito’s claims and header', async () => {
    const { sub, tokens } = await signIn();
    const id = decodeJwt(tokens.IdToken ?? '');
    const access = decodeJwt(tokens.AccessToken ?? '');
    expect(Object.keys(id).sort()).toEqual(
      [
        'aud',
        'auth_time',
        'cognito:username',
        'email',
        'email_verified',
        'event_id',
        'exp',
        'iat',
        'iss',
        'jti',
      ]
        .concat(['origin_jti', 'sub', 'token_use'])
        .sort(),
    );
    expect(Object.keys(access).sort()).toEqual(
      ['auth_time', 'client_id', 'event_id', 'exp', 'iat', 'iss', 'jti', 'origin_jti', 'scope', 'sub']
        .concat(['token_use', 'username'])
        .sort(),
    );
    // Users of email-as-username pools have their sub as username.
    expect(id['cognito:username']).toBe(sub);
    expect(id.exp).toBe(Math.floor(clock / 1000) + 3600);
    expect(id.auth_time).toBe(id.iat);
    expect(id.origin_jti).toBe(access.origin_jti);
    expect(id.event_id).toBe(access.event_id);
    expect(id.jti).not.toBe(access.jti);
    const header = decodeProtectedHeader(tokens.IdToken ?? '');
    expect(header).toEqual({ kid: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/), alg: 'RS256' });
    expect((await jwksOf(standIn)).keys).toEqual([
      { alg: 'RS256', e: 'AQAB', kid: header.kid, kty: 'RSA', n: expect.any(String), use: 'sig' },
    ]);
  });

  it('put sign-up attributes in the ID token, and GetUser returns them', async () => {
    const { sub, email, tokens } = await signIn(undefined, [
      { Name: 'name', Value: 'Ada' },
      { Name: 'custom:tenant_id', Value: 'acme' },
    ]);
    expect(decodeJwt(tokens.IdToken ?? '')).toMatchObject({ name: 'Ada', 'custom:tenant_id': 'acme' });
    const user = await client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    expect(user.Username).toBe(sub);
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'sub', Value: sub },
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenant_id', Value: 'acme' },
      ]),
    );
  });

  it('GetUser refuses an expired access token and an ID token', async () => {
    const { tokens } = await signIn();
    await expect(client.send(new GetUserCommand({ AccessToken: tokens.IdToken }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid Access Token',
    });
    clock += 3600 * 1000;
    await expect(client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has expired',
    });
  });

  it('a refresh token renews the ID and access tokens of the same authentication', async () => {
    const { tokens } = await signIn();
    clock += 60 * 60_000;
    for (const flow of ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'] as const) {
      const out = await refresh(tokens.RefreshToken ?? '', flow);
      expect(out.AuthenticationResult).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
      expect(out.AuthenticationResult?.RefreshToken).toBeUndefined();
      const before = decodeJwt(tokens.IdToken ?? '');
      const after = decodeJwt(out.AuthenticationResult?.IdToken ?? '');
      expect(after).toMatchObject({
        origin_jti: before.origin_jti,
        auth_time: before.auth_time,
        sub: before.sub,
      });
      expect(after.jti).not.toBe(before.jti);
      expect(after.iat).toBe(Math.floor(clock / 1000));
    }
  });

  it('a refresh token works for its own client only, and not past 30 days', async () => {
    const { tokens } = await signIn();
    await expect(
      client.send(
        new InitiateAuthCommand({
          ClientId: OTHER_CLIENT,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken ?? '' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid Refresh Token' });
    await expect(refresh('not-a-refresh-token')).rejects.toMatchObject({ message: 'Invalid Refresh Token' });
    clock += 30 * 24 * 3600 * 1000;
    await expect(refresh(tokens.RefreshToken ?? '')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Refresh Token has expired',
    });
  });

  it('RevokeToken ends the refresh token and the access tokens issued from it', async () => {
    const { tokens } = await signIn();
    await client.send(new RevokeTokenCommand({ ClientId: CLIENT, Token: tokens.RefreshToken }));
    await expect(refresh(tokens.RefreshToken ?? '')).rejects.toMatchObject({
      message: 'Refresh Token has been revoked',
    });
    await expect(client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
  });

  it('serves each pool’s OpenID configuration', async () => {
    const config = await (await fetch(`${standIn.endpoint}/${POOL}/.well-known/openid-configuration`)).json();
    expect(config).toMatchObject({
      issuer: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`,
      jwks_uri: standIn.jwksUrl(POOL),
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(standIn.pools).toEqual([
      {
        id: POOL,
        region: 'us-east-1',
        issuer: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`,
        jwksUrl: standIn.jwksUrl(POOL),
        clientIds: [CLIENT, OTHER_CLIENT],
      },
    ]);
    expect(() => standIn.jwksUrl('us-east-1_Nope')).toThrow(
      'The Cognito stand-in has no pool us-east-1_Nope',
    );
  });
});

describe('keyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lift-cognito-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the signing key, so tokens from before a restart still verify after it', async () => {
    const keyFile = join(dir, 'keys', 'cognito.json');
    const first = await startCognitoStandIn(options({ keyFile }));
    const firstClient = new CognitoIdentityProviderClient({
      endpoint: first.endpoint,
      region: 'us-east-1',
      credentials,
    });
    const { tokens } = await signIn({ standIn: first, client: firstClient });
    firstClient.destroy();
    await first.close();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const second = await startCognitoStandIn(options({ keyFile }));
    try {
      const verify = await verifiers(second);
      await expect(verify.id.verify(tokens.IdToken ?? '')).resolves.toMatchObject({ token_use: 'id' });
      expect(JSON.parse(readFileSync(keyFile, 'utf8')).kid).toBe(
        decodeProtectedHeader(tokens.IdToken ?? '').kid,
      );
    } finally {
      await second.close();
    }
  });

  it('refuses a key file that holds no key, naming it', async () => {
    const keyFile = join(dir, 'broken.json');
    writeFileSync(keyFile, '{"kid":"x"}');
    await expect(startCognitoStandIn(options({ keyFile }))).rejects.toThrow(
      `The Cognito stand-in's key file ${keyFile} is not a usable key`,
    );
  });
});
