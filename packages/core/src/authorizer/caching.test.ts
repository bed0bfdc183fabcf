/**
 * API Gateway caches an authorizer's answer per identity source and reuses it for every route of
 * the API. These tests play that cache: the answer produced for one route is evaluated for others
 * with an IAM matcher written here (a regular expression, independent of the one in policy.ts).
 */
import { describe, expect, it } from 'vitest';
import { apiKeyAuthenticator, issueApiKey, memoryApiKeyStore } from '../auth/api-keys.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError } from '../errors/errors.js';
import { loadFixture } from '../test-support/fixtures.js';
import {
  type AuthorizerOptions,
  type AuthorizerPolicyResult,
  type AuthorizerResult,
  createAuthorizer,
} from './authorizer.js';
import { arnMatches, patternsOverlap } from './policy.js';

/** IAM resource matching: `*` any run of characters (`/` included), `?` one, the rest literal. */
function iamMatch(pattern: string, arn: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(arn);
}
/** What API Gateway answers for `arn` under a cached result: 200 (allowed) or 403. */
function iamStatus(result: AuthorizerResult, arn: string): 200 | 403 {
  const statements = (result as AuthorizerPolicyResult).policyDocument.Statement;
  const hit = (effect: string) =>
    statements.some((s) => s.Effect === effect && s.Resource.some((r) => iamMatch(r, arn)));
  return !hit('Deny') && hit('Allow') ? 200 : 403;
}

const API = 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9';
const arnOf = (method: string, path: string, stage = 'prod', api = API) => `${api}/${stage}/${method}${path}`;

/** A REST REQUEST authorizer event for `method path` carrying an API key. */
function event(method: string, path: string, key: string) {
  const e = loadFixture('powertools/apigw-rest--authorizer-request.json');
  const headers = e.headers as Record<string, string>;
  const multi = e.multiValueHeaders as Record<string, string[]>;
  delete headers.Authorization;
  delete multi.Authorization;
  headers['x-api-key'] = key;
  multi['x-api-key'] = [key];
  return { ...e, httpMethod: method, path, resource: path, methodArn: arnOf(method, path) };
}

/** API Gateway with a cache keyed by the identity source (here the API key), TTL never reached. */
function gateway(handler: (event: unknown) => Promise<AuthorizerResult>) {
  const cache = new Map<string, AuthorizerResult>();
  let invocations = 0;
  const call = async (method: string, path: string, key: string): Promise<200 | 401 | 403 | 500> => {
    let result = cache.get(key);
    if (result === undefined) {
      invocations += 1;
      try {
        result = await handler(event(method, path, key));
      } catch (error) {
        return (error as Error).message === 'Unauthorized' ? 401 : 500;
      }
      cache.set(key, result);
    }
    return iamStatus(result, arnOf(method, path));
  };
  return { call, invocations: () => invocations };
}

const ROUTES: AuthorizerOptions['routes'] = [
  { method: 'GET', path: '/orders/*', allow: (p) => p.scopes.includes('orders:read') },
  { method: 'GET', path: '/orders/mine' },
  { method: 'DELETE', path: '/orders/*', allow: (p) => p.roles.includes('company_admin') },
  { method: 'POST', path: '/orders', allow: async (p) => p.scopes.includes('orders:write') },
  { method: '*', path: '/health' },
];
const PROBES: [string, string][] = [
  ['GET', '/orders/1'],
  ['GET', '/orders/mine'],
  ['GET', '/orders/1/lines/2'],
  ['DELETE', '/orders/1'],
  ['DELETE', '/orders/mine'],
  ['POST', '/orders'],
  ['POST', '/orders/1'],
  ['GET', '/health'],
  ['PUT', '/health'],
  ['GET', '/orders/1/health'],
  ['GET', '/'],
];
/** The decision the rules mean, read from the rule list with this file's matcher. */
async function meant(principal: Pick<Principal, 'roles' | 'scopes'>, method: string, path: string) {
  for (const rule of ROUTES ?? []) {
    const methods =
      rule.method === '*' ? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] : [rule.method];
    if (!methods.includes(method) || !iamMatch(rule.path, path)) continue;
    if (rule.allow === undefined || (await rule.allow(principal as Principal))) return 200;
  }
  return 403;
}

const store = memoryApiKeyStore();
const authenticators = [apiKeyAuthenticator({ store })];
const callers = {
  reader: { roles: [], scopes: ['orders:read'] },
  admin: { roles: ['company_admin'], scopes: ['orders:read', 'orders:write'] },
  nobody: { roles: [], scopes: [] },
};
const keyOf = async (name: keyof typeof callers) =>
  (await issueApiKey(store, { name, tenantId: 't1', ...callers[name] })).key;

describe('a cached policy, reused for other routes', () => {
  const withRules = createAuthorizer({ authenticators, routes: ROUTES, logger: false });

  it('cached allow for GET /a does not allow DELETE /a', async () => {
    const api = gateway(withRules);
    const key = await keyOf('reader');
    expect(await api.call('GET', '/orders/1', key)).toBe(200);
    expect(await api.call('DELETE', '/orders/1', key)).toBe(403);
    expect(api.invocations()).toBe(1);
  });

  it('cached deny for DELETE /a does not deny GET /a', async () => {
    const api = gateway(withRules);
    const key = await keyOf('reader');
    expect(await api.call('DELETE', '/orders/1', key)).toBe(403);
    expect(await api.call('GET', '/orders/1', key)).toBe(200);
    expect(api.invocations()).toBe(1);
  });

  it('every cached answer equals what the rules mean, whichever route filled the cache', async () => {
    for (const name of Object.keys(callers) as (keyof typeof callers)[]) {
      const key = await keyOf(name);
      for (const [firstMethod, firstPath] of PROBES) {
        const api = gateway(withRules);
        await api.call(firstMethod, firstPath, key);
        for (const [method, path] of PROBES) {
          expect(
            await api.call(method, path, key),
            `${name}: ${firstMethod} ${firstPath} then ${method} ${path}`,
          ).toBe(await meant(callers[name], method, path));
        }
        expect(api.invocations()).toBe(1);
      }
    }
  });

  it('method "*" covers each method of its path only, not a deeper path ending the same way', async () => {
    const result = (await withRules(
      event('GET', '/health', await keyOf('nobody')),
    )) as AuthorizerPolicyResult;
    const allow = result.policyDocument.Statement.find((s) => s.Effect === 'Allow');
    expect(allow?.Resource).toContain(`${API}/prod/OPTIONS/health`);
    expect(allow?.Resource.some((r) => r.includes('/prod/*'))).toBe(false);
    expect(iamStatus(result, arnOf('GET', '/orders/1/health'))).toBe(403);
  });

  it('a denied rule overlapping an allowed one is left to the implicit deny, so it cannot override it', async () => {
    const result = (await withRules(
      event('GET', '/orders/mine', await keyOf('nobody')),
    )) as AuthorizerPolicyResult;
    const deny = result.policyDocument.Statement.find((s) => s.Effect === 'Deny')?.Resource ?? [];
    // GET /orders/* is denied to this caller but overlaps the allowed GET /orders/mine.
    expect(deny).not.toContain(`${API}/prod/GET/orders/*`);
    expect(deny).toContain(`${API}/prod/POST/orders`);
    expect(iamStatus(result, arnOf('GET', '/orders/mine'))).toBe(200);
    expect(iamStatus(result, arnOf('GET', '/orders/7'))).toBe(403);
  });

  it('a caller no rule allows gets a deny for the whole stage (403), not a 401', async () => {
    const onlyAdmins = createAuthorizer({
      authenticators,
      logger: false,
      routes: [{ method: '*', path: '/*', allow: (p) => p.roles.includes('company_admin') }],
    });
    const key = await keyOf('reader');
    const result = (await onlyAdmins(event('GET', '/orders/1', key))) as AuthorizerPolicyResult;
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${API}/prod/*/*`] },
    ]);
    expect(result.principalId).toBe('reader');
  });

  it('without rules, one allow covers every method and path of the stage, and nothing else', async () => {
    const api = gateway(createAuthorizer({ authenticators, logger: false }));
    const key = await keyOf('nobody');
    for (const [method, path] of PROBES) expect(await api.call(method, path, key)).toBe(200);
    const result = await createAuthorizer({ authenticators, logger: false })(event('GET', '/x', key));
    expect(iamStatus(result, arnOf('GET', '/x'))).toBe(200);
    expect(iamStatus(result, arnOf('GET', '/x', 'dev')), 'another stage').toBe(403);
    expect(iamStatus(result, arnOf('GET', '/x', 'prod', `${API}x`)), 'another API').toBe(403);
    const elsewhere = API.replace('eu-west-1', 'us-east-1');
    expect(iamStatus(result, arnOf('GET', '/x', 'prod', elsewhere)), 'another region').toBe(403);
  });

  it('refused credentials are not cached: the next request asks again', async () => {
    const api = gateway(withRules);
    expect(await api.call('GET', '/orders/1', 'lift_0000000000000000_not-a-key')).toBe(401);
    expect(await api.call('GET', '/orders/1', 'lift_0000000000000000_not-a-key')).toBe(401);
    expect(api.invocations()).toBe(2);
  });
});

describe('simple responses (HTTP API)', () => {
  const v2 = (method: string, path: string, key: string) => {
    const e = loadFixture('powertools/apigw-http--authorizer-request.json');
    const headers = e.headers as Record<string, string>;
    delete headers.authorization;
    headers['x-api-key'] = key;
    (e.requestContext as { http: { method: string } }).http.method = method;
    return { ...e, rawPath: path, routeKey: `${method} ${path}`, routeArn: arnOf(method, path, '$default') };
  };

  it('route rules with simple responses are refused unless the cache is keyed by route', () => {
    expect(() => createAuthorizer({ authenticators, routes: ROUTES, simpleResponse: true })).toThrow(
      /\$context\.routeKey/,
    );
    expect(() =>
      createAuthorizer({ authenticators, routes: ROUTES, simpleResponse: true, cacheKeyedByRoute: true }),
    ).not.toThrow();
  });

  it('the answer is for the route asked, so a cache keyed by route key stays right', async () => {
    const handler = createAuthorizer({
      authenticators,
      routes: ROUTES,
      simpleResponse: true,
      cacheKeyedByRoute: true,
      logger: false,
    });
    const key = await keyOf('reader');
    const cache = new Map<string, AuthorizerResult>();
    for (const [method, path] of [...PROBES, ...PROBES]) {
      const id = `${key}|${method} ${path}`;
      const result = cache.get(id) ?? (await handler(v2(method, path, key)));
      cache.set(id, result);
      expect('isAuthorized' in result && result.isAuthorized ? 200 : 403).toBe(
        await meant(callers.reader, method, path),
      );
    }
  });
});

describe('matchers', () => {
  const alphabet = ['a', 'b', '/', '*'];
  const random = (n: number, chars: string[]) =>
    Array.from(
      { length: Math.floor(Math.random() * n) },
      () => chars[Math.floor(Math.random() * chars.length)],
    ).join('');

  it('arnMatches agrees with IAM wildcard semantics', () => {
    for (let i = 0; i < 5000; i++) {
      const pattern = random(8, [...alphabet, '?']);
      const arn = random(10, ['a', 'b', '/']);
      expect(arnMatches(pattern, arn), `${pattern} ~ ${arn}`).toBe(iamMatch(pattern, arn));
    }
  });

  it('patternsOverlap finds a common ARN exactly when one exists', () => {
    const strings: string[] = [''];
    for (let length = 1; length <= 6; length++)
      for (const s of strings.filter((x) => x.length === length - 1))
        for (const c of 'ab/') strings.push(s + c);
    for (let i = 0; i < 1500; i++) {
      const a = random(5, alphabet);
      const b = random(5, alphabet);
      const common = strings.some((s) => iamMatch(a, s) && iamMatch(b, s));
      expect(patternsOverlap(a, b), `${a} & ${b}`).toBe(common);
    }
  });
});

describe('options', () => {
  const bad: [Partial<AuthorizerOptions> & Record<string, unknown>, RegExp][] = [
    [{ authenticators: [] }, /"authenticators" must list/],
    [{ tenants: ['t1'] }, /unknown option "tenants"/],
    [{ routes: [] }, /"routes" must list/],
    [{ routes: [{ method: 'get', path: '/a' }] }, /"method" must be one of/],
    [{ routes: [{ method: 'GET', path: '/orders/:id' }] }, /path parameter/],
    [{ routes: [{ method: 'GET', path: '/orders/{id}' }] }, /no spaces, "\?" or braces/],
    [{ routes: [{ method: 'GET', path: 'orders' }] }, /must start with "\/"/],
    [
      { routes: [{ method: 'GET', path: '/a', roles: ['admin'] } as never] },
      /routes\[0\]: unknown option "roles"/,
    ],
    [
      {
        routes: [
          { method: 'GET', path: '/a' },
          { method: '*', path: '/a' },
        ],
      },
      /covered twice/,
    ],
    [{ cacheKeyedByRoute: true }, /applies only to "routes" with "simpleResponse"/],
    [{ simpleResponse: 'yes' as never }, /"simpleResponse" must be a boolean/],
    [{ tokenHeader: 'bad header' }, /"tokenHeader" must be a header name/],
    [{ roleSeparator: '' }, /"roleSeparator" must be a non-empty string/],
    [{ claims: ['sub'] }, /cannot copy "sub"/],
    [{ logger: console as never }, /"logger" must come from createLogger/],
  ];
  for (const [options, message] of bad) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      const call = () => createAuthorizer({ authenticators, ...options } as AuthorizerOptions);
      expect(call).toThrow(ConfigurationError);
      expect(call).toThrow(message);
    });
  }
});
