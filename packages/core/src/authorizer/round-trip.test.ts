/**
 * A principal survives the trip: authorizer output -> the API Gateway event the app behind receives
 * (REST and HTTP API samples, with that authorizer context) -> an app trusting the context through
 * `trustApiGatewayLambdaAuthorizer` -> the same user, tenant, account, roles and scopes.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { trustApiGatewayLambdaAuthorizer } from '../auth/api-gateway.js';
import { apiKeyAuthenticator, issueApiKey, memoryApiKeyStore } from '../auth/api-keys.js';
import { jwtAuthenticator } from '../auth/jwt.js';
import type { ClaimMapping } from '../auth/principal.js';
import { memoryNonceStore } from '../signing/nonces.js';
import { signRequest } from '../signing/signer.js';
import { signatureAuthenticator } from '../signing/verifier.js';
import { loadFixture } from '../test-support/fixtures.js';
import { readResult } from '../testing/request.js';
import { type AuthorizerPolicyResult, type AuthorizerSimpleResult, createAuthorizer } from './authorizer.js';

const POOL = 'eu-west-1_LiftPool2';
const COGNITO = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const SECRET = 'ledger-service-secret-of-32-characters!';
const clock = Date.now();
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'pool-key', alg: 'RS256', use: 'sig' };

const store = memoryApiKeyStore();
const authorizerOptions = {
  logger: false as const,
  claims: ['email'],
  authenticators: [
    jwtAuthenticator({
      now: () => clock,
      issuers: [
        {
          cognito: { userPoolId: POOL, tokenUse: 'access', clientId: 'app' },
          jwks: { keys: [jwk] } as never,
        },
      ],
    }),
    apiKeyAuthenticator({ store }),
    signatureAuthenticator({
      now: () => clock,
      nonces: memoryNonceStore({ now: () => clock }),
      keys: (id) =>
        id === 'ledger'
          ? {
              secrets: [SECRET],
              name: 'ledger-service',
              accountId: '210987654321',
              tenantId: 't5',
              roles: ['integration_admin'],
            }
          : undefined,
    }),
  ],
};
const rest = createAuthorizer(authorizerOptions);
const simple = createAuthorizer({ ...authorizerOptions, simpleResponse: true });

/** The app behind API Gateway: it only reads what the authorizer put in the context. */
function appBehind(mapping: ClaimMapping = { roleSeparator: ',' }) {
  const app = createApp({
    service: 'behind',
    access: createAccessControl({
      authenticators: [trustApiGatewayLambdaAuthorizer({ mapping })],
      audit: () => {},
    }),
  });
  app.get('/me', { auth: {} }, (ctx) => {
    const { userId, tenantId, accountId, roles, scopes, claims } = ctx.principal ?? {};
    return {
      userId,
      tenantId: tenantId ?? null,
      accountId: accountId ?? null,
      roles,
      scopes,
      email: claims?.email,
    };
  });
  return app;
}

/** The REST request the app receives once the authorizer allowed it. */
function restEvent(result: AuthorizerPolicyResult) {
  const event = loadFixture('powertools/apigw-rest--lambda-authorizer-auth.json');
  Object.assign(event, { path: '/me', resource: '/me', httpMethod: 'GET', body: null });
  (event.requestContext as Record<string, unknown>).authorizer = {
    principalId: result.principalId,
    ...result.context,
    integrationLatency: 12,
  };
  return event;
}
/** The HTTP API request the app receives, with the authorizer context under `lambda`. */
function httpEvent(context: Record<string, string> | undefined) {
  const event = loadFixture('powertools/apigw-http--lambda-authorizer-auth.json');
  Object.assign(event, { rawPath: '/me', routeKey: 'GET /me', body: null });
  const requestContext = event.requestContext as Record<string, Record<string, unknown>>;
  (requestContext.http as Record<string, unknown>).method = 'GET';
  requestContext.authorizer = { lambda: context };
  return event;
}
async function seenBy(app: ReturnType<typeof appBehind>, event: Record<string, unknown>) {
  const res = readResult(await app.handler(event));
  expect(res.status).toBe(200);
  return res.json<Record<string, unknown>>();
}

async function credentials() {
  const cognito = await new SignJWT({
    sub: 'c-42',
    token_use: 'access',
    client_id: 'app',
    'custom:tenant_id': 'acme',
    'custom:account_id': 'acct-9',
    'cognito:groups': ['company_admin', 'user'],
    scope: 'orders/read orders/write',
    email: 'ada@example.com',
    exp: Math.floor(clock / 1000) + 600,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'pool-key' })
    .setIssuer(COGNITO)
    .sign(privateKey);
  const { key } = await issueApiKey(store, {
    name: 'exporter',
    tenantId: 'globex',
    roles: ['integration_admin'],
    scopes: ['exports:write', 'exports:read'],
  });
  const signed = (path: string) =>
    signRequest({
      keyId: 'ledger',
      secret: SECRET,
      method: 'POST',
      url: `https://x${path}`,
      now: () => clock,
    });
  return [
    {
      name: 'Cognito access token',
      headers: (_path: string) => ({ authorization: `Bearer ${cognito}` }),
      expected: {
        userId: 'c-42',
        tenantId: 'acme',
        accountId: 'acct-9',
        roles: ['company_admin', 'user'],
        scopes: ['orders/read', 'orders/write'],
        email: 'ada@example.com',
      },
    },
    {
      name: 'API key',
      headers: (_path: string) => ({ 'x-api-key': key }),
      expected: {
        userId: 'exporter',
        tenantId: 'globex',
        accountId: null,
        roles: ['integration_admin'],
        scopes: ['exports:write', 'exports:read'],
      },
    },
    {
      name: 'signed request',
      headers: signed,
      expected: {
        userId: 'ledger-service',
        tenantId: 't5',
        accountId: '210987654321',
        roles: ['integration_admin'],
        scopes: [],
      },
    },
  ];
}

/** An HTTP API authorizer event (POST /lambda) carrying these headers instead of the placeholder token. */
function v2Request(headers: Record<string, string>) {
  const event = loadFixture('powertools/apigw-http--authorizer-request.json');
  const own = event.headers as Record<string, string>;
  delete own.authorization;
  Object.assign(own, headers);
  return event;
}
function restRequest(headers: Record<string, string>) {
  const event = loadFixture('powertools/apigw-rest--authorizer-request.json');
  const single = event.headers as Record<string, string>;
  const multi = event.multiValueHeaders as Record<string, string[]>;
  delete single.Authorization;
  delete multi.Authorization;
  for (const [name, value] of Object.entries(headers)) {
    single[name] = value;
    multi[name] = [value];
  }
  return event;
}

describe('a principal survives the round trip', () => {
  const app = appBehind();

  it('REST: policy result -> requestContext.authorizer -> the same principal', async () => {
    for (const { name, headers, expected } of await credentials()) {
      const result = (await rest(restRequest(headers('/lambda-request')))) as AuthorizerPolicyResult;
      expect(await seenBy(app, restEvent(result)), name).toEqual(expected);
    }
  });

  it('HTTP API payload 2.0: simple and IAM-policy results -> authorizer.lambda -> the same principal', async () => {
    for (const { name, headers, expected } of await credentials()) {
      const viaSimple = (await simple(v2Request(headers('/lambda')))) as AuthorizerSimpleResult;
      expect(viaSimple.isAuthorized, name).toBe(true);
      expect(await seenBy(app, httpEvent(viaSimple.context)), name).toEqual(expected);
      if (name === 'signed request') continue; // a nonce is good once
      const viaPolicy = (await rest(v2Request(headers('/lambda')))) as AuthorizerPolicyResult;
      expect(await seenBy(app, httpEvent(viaPolicy.context)), name).toEqual(expected);
    }
  });

  it('an app without the matching roleSeparator reads one unknown role, never extra grants', async () => {
    const [cognito] = await credentials();
    const result = (await rest(restRequest(cognito?.headers('/') ?? {}))) as AuthorizerPolicyResult;
    const seen = await seenBy(appBehind({}), restEvent(result));
    expect(seen.roles).toEqual(['company_admin,user']);
  });
});
