/**
 * Attacks on the authorizer, each named after the attack, on the captured authorizer samples with
 * real credentials: HS256 tokens, API keys in memory and in an unreachable DynamoDB, signed requests.
 */
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { apiKeyAuthenticator, dynamoApiKeyStore, issueApiKey, memoryApiKeyStore } from '../auth/api-keys.js';
import { type JwtIssuerOptions, jwtAuthenticator } from '../auth/jwt.js';
import { securityTable } from '../auth/security-table.js';
import { tableClient } from '../dynamodb/client.js';
import { createLogger } from '../observability/logger.js';
import { memoryNonceStore } from '../signing/nonces.js';
import { signRequest } from '../signing/signer.js';
import { signatureAuthenticator } from '../signing/verifier.js';
import { loadFixture } from '../test-support/fixtures.js';
import { type AuthorizerOptions, createAuthorizer } from './authorizer.js';

const ISSUER = 'https://hs.lift.test';
const HS_SECRET = 'an-hmac-secret-of-at-least-thirty-two-chars';
const SECRET = 'billing-service-secret-of-32-characters';
const clock = Date.now();
const seconds = Math.floor(clock / 1000);

const issuer: JwtIssuerOptions = {
  issuer: ISSUER,
  audience: 'orders-api',
  algorithms: ['HS256'],
  secrets: [HS_SECRET],
};
const sign = (claims: Record<string, unknown>, secret = HS_SECRET) =>
  new SignJWT({ aud: 'orders-api', exp: seconds + 600, iat: seconds, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .sign(new TextEncoder().encode(secret));
const userToken = () => sign({ sub: 'u1', tenant_id: 't1', roles: ['user'] });

const keys = memoryApiKeyStore();
const nonces = memoryNonceStore({ now: () => clock });
const signatures = signatureAuthenticator({
  now: () => clock,
  nonces,
  keys: (id) => (id === 'billing' ? { secrets: [SECRET], name: 'billing-service' } : undefined),
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
    authenticators: [
      jwtAuthenticator({ now: () => clock, issuers: [issuer] }),
      apiKeyAuthenticator({ store: keys }),
      signatures,
    ],
    logger: false,
    ...extra,
  });

/** A sample without its placeholder credential, with these headers as API Gateway delivers them. */
function sample(name: string, headers: Record<string, string | string[]>) {
  const event = loadFixture(name);
  const single = (event.headers ?? {}) as Record<string, string>;
  const multi = event.multiValueHeaders as Record<string, string[]> | undefined;
  for (const part of [single, multi ?? {}])
    for (const key of ['Authorization', 'authorization']) delete part[key];
  for (const [name, value] of Object.entries(headers)) {
    const list = [value].flat();
    single[name] = list[list.length - 1] as string;
    if (multi !== undefined) multi[name] = list;
  }
  event.headers = single;
  return event;
}
const restRequest = (headers: Record<string, string | string[]>) =>
  sample('powertools/apigw-rest--authorizer-request.json', headers);
const httpV2 = (headers: Record<string, string>) =>
  sample('powertools/apigw-http--authorizer-request.json', headers);
const token = (authorizationToken: string) => ({
  ...loadFixture('powertools/apigw-rest--authorizer-token.json'),
  authorizationToken,
});
const signed = () =>
  signRequest({
    keyId: 'billing',
    secret: SECRET,
    method: 'POST',
    url: 'https://x/lambda-request',
    now: () => clock,
  });

describe('attacks', () => {
  it('token in two headers is refused', async () => {
    const [a, b] = [await userToken(), await sign({ sub: 'u2', tenant_id: 't2' })];
    // Each alone is accepted.
    expect(await authorizer()(restRequest({ Authorization: `Bearer ${b}` }))).toMatchObject({
      principalId: 'u2',
    });
    const twice = restRequest({ Authorization: [`Bearer ${a}`, `Bearer ${b}`] });
    await expect(authorizer()(twice)).rejects.toThrow(/^Unauthorized$/);
    // Two spellings of the name in a payload 1.0 event are one header sent twice.
    const v1 = sample('aws-lambda-go/apigw-v2-custom-authorizer-v1-request.json', {});
    Object.assign(v1.headers as object, { Authorization: `Bearer ${a}`, authorization: `Bearer ${b}` });
    await expect(authorizer()(v1)).rejects.toThrow(/^Unauthorized$/);
    // HTTP APIs join repeated headers with commas.
    await expect(authorizer()(httpV2({ authorization: `Bearer ${a},Bearer ${b}` }))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('API key sent twice is refused', async () => {
    const { key } = await issueApiKey(keys, { name: 'twice', tenantId: 't1' });
    expect(await authorizer()(restRequest({ 'x-api-key': key }))).toMatchObject({ principalId: 'twice' });
    await expect(authorizer()(restRequest({ 'x-api-key': [key, key] }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('expired, forged and malformed tokens are a 401, never a policy', async () => {
    for (const bad of [
      await sign({ sub: 'u1', exp: seconds - 3600 }),
      await sign({ sub: 'u1' }, 'another-hmac-secret-of-thirty-two-chars'),
      await sign({ sub: 'u1', exp: undefined }),
      'not-a-token',
    ]) {
      await expect(authorizer()(token(`Bearer ${bad}`))).rejects.toThrow(/^Unauthorized$/);
    }
  });

  it('authenticator network error denies (API key table unreachable): a 500, logged, not an allow', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const raw = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const store = dynamoApiKeyStore(tableClient(securityTable, { client: DynamoDBDocumentClient.from(raw) }));
    const { key } = await issueApiKey(keys, { name: 'elsewhere', tenantId: 't1' });
    lines = [];
    const handler = createAuthorizer({ authenticators: [apiKeyAuthenticator({ store })], logger });
    const failed = await handler(restRequest({ 'x-api-key': key })).catch((error: Error) => error);
    raw.destroy();
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe('Authorizer error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'ERROR', decision: 'error', status: 500 });
    expect(JSON.stringify(lines[0])).toMatch(/ECONNREFUSED/);
  });

  it('a key store that throws is a 500, not an allow and not a 401', async () => {
    const failing = signatureAuthenticator({
      nonces,
      now: () => clock,
      keys: () => {
        throw new Error('Secrets Manager unreachable');
      },
    });
    await expect(
      createAuthorizer({ authenticators: [failing], logger: false })(restRequest(signed())),
    ).rejects.toThrow(/^Authorizer error$/);
  });

  it('signed request with a body the authorizer cannot see is refused', async () => {
    const signature = signed();
    // The same request without a body is accepted (once: a nonce is good once).
    expect(await authorizer()(restRequest(signed()))).toMatchObject({ principalId: 'billing-service' });
    const event = restRequest({ ...signature, 'Content-Length': '17' });
    await expect(authorizer()(event)).rejects.toThrow(/^Unauthorized$/);
    const chunked = restRequest({ ...signature, 'Transfer-Encoding': 'chunked' });
    await expect(authorizer()(chunked)).rejects.toThrow(/^Unauthorized$/);
  });

  it('a role holding the separator is refused, not split into two grants downstream', async () => {
    const { key } = await issueApiKey(keys, { name: 'odd', tenantId: 't1', roles: ['user,super_admin'] });
    await expect(authorizer()(restRequest({ 'x-api-key': key }))).rejects.toThrow(/^Authorizer error$/);
    // With a separator the role does not contain, it travels as one role.
    expect(await authorizer({ roleSeparator: '|' })(restRequest({ 'x-api-key': key }))).toMatchObject({
      context: { roles: 'user,super_admin' },
    });
  });

  it('a principal limited to some tenants is refused: the context cannot carry the limit', async () => {
    const partner = jwtAuthenticator({ now: () => clock, issuers: [{ ...issuer, tenants: ['t1'] }] });
    await expect(
      createAuthorizer({ authenticators: [partner], logger: false })(token(`Bearer ${await userToken()}`)),
    ).rejects.toThrow(/^Authorizer error$/);
  });

  it('a route rule that throws is a 500, never an allow', async () => {
    const { key } = await issueApiKey(keys, { name: 'ruled', tenantId: 't1' });
    const handler = authorizer({
      routes: [
        {
          method: 'GET',
          path: '/*',
          allow: () => {
            throw new Error('permission service down');
          },
        },
      ],
    });
    await expect(handler(restRequest({ 'x-api-key': key }))).rejects.toThrow(/^Authorizer error$/);
  });

  it('malformed or foreign events are an error, never an allow', async () => {
    const handler = authorizer();
    for (const event of [
      { ...token(`Bearer ${await userToken()}`), methodArn: 'arn:aws:lambda:eu-west-1:1:function:f' },
      loadFixture('powertools/apigw-rest--lambda-authorizer-auth.json'),
      { ...restRequest({}), headers: 'authorization: x' },
      null,
    ]) {
      await expect(handler(event)).rejects.toThrow(/^Authorizer error$/);
    }
  });
});
