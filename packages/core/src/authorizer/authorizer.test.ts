/**
 * The authorizer on the captured authorizer samples, with real credentials: RS256 tokens from a
 * loopback JWKS server that can be taken down, Cognito access tokens, API keys and signed requests.
 * Attacks are named after the attack.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../auth/api-gateway.js';
import { apiKeyAuthenticator, issueApiKey, memoryApiKeyStore } from '../auth/api-keys.js';
import { jwtAuthenticator } from '../auth/jwt.js';
import { HttpError } from '../errors/errors.js';
import { createLogger } from '../observability/logger.js';
import { memoryNonceStore } from '../signing/nonces.js';
import { signRequest } from '../signing/signer.js';
import { signatureAuthenticator } from '../signing/verifier.js';
import { loadFixture } from '../test-support/fixtures.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { type AuthorizerOptions, type AuthorizerPolicyResult, createAuthorizer } from './authorizer.js';

const ISSUER = 'https://issuer.lift.test';
const POOL = 'eu-west-1_LiftPool1';
const COGNITO = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const SECRET = 'billing-service-secret-of-32-characters';
const clock = Date.now();
const seconds = Math.floor(clock / 1000);

const rsa = (kid: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
};
const k1 = rsa('k1');
const pool = rsa('pool-1');

let server: Server;
let jwksUri = '';
let up = true;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (!up || req.url !== '/jwks.json') return res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [k1.jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sign = (
  claims: Record<string, unknown>,
  key: { kid: string; privateKey: KeyObject } = k1,
  iss = ISSUER,
) =>
  new SignJWT({ aud: 'orders-api', exp: seconds + 600, iat: seconds, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(iss)
    .sign(key.privateKey);
const userToken = () =>
  sign({ sub: 'u1', tenant_id: 't1', roles: ['user', 'company_admin'], scope: 'orders:read orders:write' });

const jwt = () =>
  jwtAuthenticator({
    now: () => clock,
    issuers: [
      { issuer: ISSUER, audience: 'orders-api', algorithms: ['RS256'], jwksUri },
      {
        cognito: { userPoolId: POOL, tokenUse: 'access', clientId: 'client-1' },
        jwks: { keys: [pool.jwk] } as never,
      },
    ],
  });
const keys = memoryApiKeyStore();
const nonces = memoryNonceStore({ now: () => clock });
const signatures = signatureAuthenticator({
  now: () => clock,
  nonces,
  keys: (id) =>
    id === 'billing' ? { secrets: [SECRET], name: 'billing-service', accountId: '210987654321' } : undefined,
});

let lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'authz',
  level: 'INFO',
  mask: false,
  bufferBelowLevel: false,
  write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>),
});
const authorizer = (extra: Partial<AuthorizerOptions> = {}) =>
  createAuthorizer({
    authenticators: [jwt(), apiKeyAuthenticator({ store: keys }), signatures],
    logger,
    ...extra,
  });

/** Sets a header as API Gateway delivers it: in `headers`, and in `multiValueHeaders` when the event has them. */
function withHeaders(event: Record<string, unknown>, headers: Record<string, string | string[]>) {
  const single = (event.headers ?? {}) as Record<string, string>;
  const multi = event.multiValueHeaders as Record<string, string[]> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const list = [value].flat();
    single[name] = list[list.length - 1] as string;
    if (multi !== undefined) multi[name] = list;
  }
  event.headers = single;
  return event;
}
/** A sample without its placeholder credential (`Authorization: Bearer foo`). */
function sample(name: string) {
  const event = loadFixture(name);
  for (const part of ['headers', 'multiValueHeaders']) {
    const headers = event[part] as Record<string, unknown> | undefined;
    if (headers !== undefined) for (const key of ['Authorization', 'authorization']) delete headers[key];
  }
  return event;
}
const restRequest = (headers: Record<string, string | string[]>) =>
  withHeaders(sample('powertools/apigw-rest--authorizer-request.json'), headers);
const httpV2 = (headers: Record<string, string>) =>
  withHeaders(sample('powertools/apigw-http--authorizer-request.json'), headers);
const token = (authorizationToken: string) => ({
  ...loadFixture('powertools/apigw-rest--authorizer-token.json'),
  authorizationToken,
});

const JWT_CONTEXT = {
  userId: 'u1',
  tenant_id: 't1',
  roles: 'user,company_admin',
  scope: 'orders:read orders:write',
  authMethod: 'jwt',
};
const wholeStage = (base: string) => ({
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${base}*/*`] }],
});

describe('every authorizer payload', () => {
  it('REST TOKEN: the token stands as the Authorization header; the policy covers the stage', async () => {
    const result = await authorizer()(token(`Bearer ${await userToken()}`), fakeLambdaContext());
    expect(result).toEqual({
      principalId: 'u1',
      policyDocument: wholeStage('arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/'),
      context: JWT_CONTEXT,
    });
  });

  it('REST TOKEN: a console test ARN (stage "*") and another token header (x-api-key)', async () => {
    const { key } = await issueApiKey(keys, { name: 'reporting', tenantId: 't2', scopes: ['reports:read'] });
    const event = { ...loadFixture('aws-lambda-go/apigw-custom-auth-request.json'), authorizationToken: key };
    const result = (await authorizer({ tokenHeader: 'X-Api-Key' })(event)) as AuthorizerPolicyResult;
    expect(result.policyDocument).toEqual(
      wholeStage('arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/'),
    );
    expect(result.context).toEqual({
      userId: 'reporting',
      tenant_id: 't2',
      scope: 'reports:read',
      authMethod: 'api-key',
    });
    // The same key as an Authorization token is not an API key ("ApiKey <key>" is).
    await expect(authorizer()(event)).rejects.toThrow(/^Unauthorized$/);
  });

  it('REST REQUEST: headers (multi-value included) read as for an app', async () => {
    const result = await authorizer()(restRequest({ Authorization: `Bearer ${await userToken()}` }));
    expect(result).toMatchObject({ principalId: 'u1', context: JWT_CONTEXT });
    const { key } = await issueApiKey(keys, { name: 'ci', tenantId: 't3', roles: ['integration_admin'] });
    const sample = withHeaders(loadFixture('aws-lambda-go/apigw-custom-auth-request-type-request.json'), {
      'x-api-key': key,
    });
    expect(await authorizer()(sample)).toMatchObject({
      principalId: 'ci',
      policyDocument: wholeStage('arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/'),
      context: { userId: 'ci', tenant_id: 't3', roles: 'integration_admin', authMethod: 'api-key' },
    });
  });

  it('HTTP API payload 1.0 answers with a policy', async () => {
    const event = withHeaders(loadFixture('aws-lambda-go/apigw-v2-custom-authorizer-v1-request.json'), {
      Authorization: `Bearer ${await userToken()}`,
    });
    expect(await authorizer()(event)).toMatchObject({
      principalId: 'u1',
      policyDocument: wholeStage('arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/'),
    });
    // Payload 1.0 cannot have simple responses: the option leaves it a policy.
    expect(await authorizer({ simpleResponse: true })(event)).toHaveProperty('policyDocument');
  });

  it('HTTP API payload 2.0: IAM-policy response, and simple response when opted into', async () => {
    const event = httpV2({ authorization: `Bearer ${await userToken()}` });
    expect(await authorizer()(event)).toEqual({
      principalId: 'u1',
      policyDocument: wholeStage('arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/'),
      context: JWT_CONTEXT,
    });
    expect(await authorizer({ simpleResponse: true })(event)).toEqual({
      isAuthorized: true,
      context: JWT_CONTEXT,
    });
    expect(await authorizer({ simpleResponse: true })(httpV2({ authorization: 'Bearer x.y.z' }))).toEqual({
      isAuthorized: false,
    });
  });

  it('HTTP API payload 2.0: query and cookies reach the authenticators as in an app', async () => {
    const event = loadFixture('aws-lambda-go/apigw-v2-custom-authorizer-v2-request.json');
    event.cookies = ['session=s-1', 'theme=dark'];
    const seen: unknown[] = [];
    const reader: Authenticator = (ctx) => {
      seen.push(ctx.queryAll('parameter1'), ctx.cookies.session, ctx.header('header1'), ctx.method);
      return undefined;
    };
    await expect(createAuthorizer({ authenticators: [reader], logger: false })(event)).rejects.toThrow(
      'Unauthorized',
    );
    // Capitalised names cannot come from AWS, which lower-cases HTTP API headers (see adapters).
    expect(seen).toEqual([['value1', 'value2'], 's-1', undefined, 'POST']);
  });

  it('Cognito access token: groups and scopes become roles and scopes', async () => {
    const cognito = await sign(
      {
        sub: 'c-1',
        token_use: 'access',
        client_id: 'client-1',
        'custom:tenant_id': 't9',
        'cognito:groups': ['admin', 'users'],
        scope: 'orders/read orders/write',
        aud: undefined,
      },
      pool,
      COGNITO,
    );
    const result = (await authorizer()(
      httpV2({ authorization: `Bearer ${cognito}` }),
    )) as AuthorizerPolicyResult;
    expect(result.context).toEqual({
      userId: 'c-1',
      tenant_id: 't9',
      roles: 'admin,users',
      scope: 'orders/read orders/write',
      authMethod: 'jwt',
    });
  });

  it('signed request: verified over method, path, query and headers, with the empty body', async () => {
    const signature = signRequest({
      keyId: 'billing',
      secret: SECRET,
      method: 'POST',
      url: 'https://puhdx84jy9.execute-api.eu-west-1.amazonaws.com/lambda-request',
      now: () => clock,
    });
    const event = restRequest(signature);
    expect(await authorizer()(event)).toMatchObject({
      principalId: 'billing-service',
      context: { userId: 'billing-service', account_id: '210987654321', authMethod: 'signature' },
    });
    await expect(authorizer()(restRequest(signature)), 'a replay').rejects.toThrow(/^Unauthorized$/);
  });
});

describe('refusals', () => {
  it("the samples' placeholder token is refused", async () => {
    for (const name of [
      'powertools/apigw-rest--authorizer-token.json',
      'powertools/apigw-rest--authorizer-request.json',
      'powertools/apigw-http--authorizer-request.json',
    ]) {
      await expect(authorizer()(loadFixture(name)), name).rejects.toThrow(/^Unauthorized$/);
    }
  });

  it('no credentials: a 401 for policies, isAuthorized false for simple responses', async () => {
    await expect(authorizer()(restRequest({}))).rejects.toThrow(/^Unauthorized$/);
    expect(await authorizer({ simpleResponse: true })(httpV2({}))).toEqual({ isAuthorized: false });
  });

  it('authenticator network error denies (JWKS endpoint down): an error, not an allow nor a 401, the cause logged', async () => {
    up = false;
    try {
      lines = [];
      const fresh = createAuthorizer({ authenticators: [jwt()], logger });
      // The token may well be good: the caller gets API Gateway's 500, which it may retry, not the
      // 401 that would send it to sign in again; as for an API key store that cannot be reached.
      await expect(fresh(token(`Bearer ${await userToken()}`))).rejects.toThrow(/^Authorizer error$/);
      expect(lines[0]).toMatchObject({ decision: 'error', reason: 'an authenticator failed', status: 500 });
      expect(JSON.stringify(lines[0]?.error)).toMatch(/could not be fetched/);
    } finally {
      up = true;
    }
  });

  it('a 401 whose cause loops, or whose cause has details holding a BigInt, is still a 401, logged (the report never becomes the answer)', async () => {
    const looping = new Error('loop');
    looping.cause = looping;
    for (const cause of [new HttpError(503, 'DOWN', 'keys down', { details: { n: 1n } }), looping]) {
      lines = [];
      const refusing = createAuthorizer({
        authenticators: [
          async () => {
            throw new HttpError(401, 'UNAUTHORIZED', 'token revoked', { cause });
          },
        ],
        logger,
      });
      await expect(refusing(token('Bearer x'))).rejects.toThrow(/^Unauthorized$/);
      expect(lines[0]).toMatchObject({ decision: 'unauthorized', reason: 'token revoked' });
    }
  });
});

describe('decision log', () => {
  it('one line per decision, with the route and the caller, and never a credential', async () => {
    const jwtText = await userToken();
    const { key } = await issueApiKey(keys, { name: 'logged', tenantId: 't1' });
    lines = [];
    const handler = authorizer();
    await handler(
      restRequest({ Authorization: `Bearer ${jwtText}` }),
      fakeLambdaContext({ awsRequestId: 'inv-1' }),
    );
    await handler(restRequest({ 'x-api-key': `${key}x` })).catch(() => undefined);
    await handler(httpV2({})).catch(() => undefined);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'authorizer',
      service: 'authz',
      function_request_id: 'inv-1',
      request_id: '141d6671-99b4-40ca-9997-7a22f01eac74',
      method: 'POST',
      route: '/lambda-request',
      decision: 'allow',
      user_id: 'u1',
      tenant_id: 't1',
      auth_method: 'jwt',
      authorizer: 'rest-request',
    });
    expect(lines[1]).toMatchObject({ decision: 'unauthorized', reason: 'Invalid API key', status: 401 });
    expect(lines[2]).toMatchObject({
      decision: 'unauthorized',
      reason: 'no credentials',
      route: 'POST /lambda',
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(jwtText.split('.')[2]);
    expect(text).not.toContain(key.slice(22));
  });
});
