import type { Principal } from '../context/principal.js';
import { ConfigurationError, InvalidEventError, refuseUnknownOptions } from '../errors/errors.js';

/** One statement of an authorizer's IAM policy. */
export interface AuthorizerPolicyStatement {
  /** Invoking the API is the one action an authorizer grants or denies. */
  readonly Action: 'execute-api:Invoke';
  /** An explicit Deny wins over any Allow; what no Allow matches is denied. */
  readonly Effect: 'Allow' | 'Deny';
  /** `execute-api` ARNs: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path}`. */
  readonly Resource: readonly string[];
}

/** The IAM policy an authorizer returns to API Gateway. */
export interface AuthorizerPolicyDocument {
  /** The IAM policy language version. */
  readonly Version: '2012-10-17';
  /** The Allow statement (with route rules, also a Deny statement), or one Deny for the whole stage. */
  readonly Statement: readonly AuthorizerPolicyStatement[];
}

/**
 * A route rule of `createAuthorizer({ routes })`: who may call a method on a path. The rule is turned
 * into an `execute-api` ARN, so `path` is matched as IAM matches it: literally, except that `*` stands
 * for any characters, `/` included (`/orders/*` covers `/orders/1` and `/orders/1/lines/2`). Path
 * parameters (`:id`, `{id}`) are refused for that reason: write `*` and mean it.
 */
export interface AuthorizerRoute {
  /**
   * `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS`, or `*` for each of them (written as
   * one resource per method: a `*` in the method's place would also match into the path).
   */
  readonly method: string;
  /** The request path as API Gateway puts it in the method ARN, from `/`, with `*` wildcards. */
  readonly path: string;
  /**
   * Whether the principal may call this route (default: every authenticated principal). It sees only
   * the principal, never the request: its answer goes into a policy that API Gateway caches and
   * reuses for other requests of the same caller.
   */
  readonly allow?: (principal: Principal) => boolean | Promise<boolean>;
}

/** A route rule, checked: the resources it covers and its test. */
export interface Rule {
  /** `{method}{path}` per method (`GET/orders/*`). */
  readonly resources: readonly string[];
  readonly allow: ((principal: Principal) => boolean | Promise<boolean>) | undefined;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
// Printable ASCII without `?` (a single-character IAM wildcard), braces and spaces.
const PATH = /^\/[!#$%&'()*+,\-./0-9:;<=>@A-Z[\]^_`a-z|~]*$/;

/** Checks `routes` once at start-up and writes each rule's resources. */
export function compileRoutes(routes: unknown, where: string): readonly Rule[] {
  if (!Array.isArray(routes) || routes.length === 0)
    throw new ConfigurationError(`${where}: "routes" must list at least one route`);
  const seen = new Set<string>();
  return routes.map((route: AuthorizerRoute, i) => {
    const at = `${where}: routes[${i}]`;
    if (typeof route !== 'object' || route === null) throw new ConfigurationError(`${at} must be an object`);
    refuseUnknownOptions(route, ['method', 'path', 'allow'], at);
    if (route.method !== '*' && !METHODS.includes(route.method))
      throw new ConfigurationError(`${at}: "method" must be one of ${METHODS.join(', ')} or "*"`);
    const path = route.path;
    if (typeof path !== 'string' || !PATH.test(path))
      throw new ConfigurationError(`${at}: "path" must start with "/" and hold no spaces, "?" or braces`);
    if (path.split('/').some((segment) => segment.startsWith(':')))
      throw new ConfigurationError(
        `${at}: "${path}" has a path parameter; an IAM policy cannot express one, write "*" (which also matches "/")`,
      );
    if (route.allow !== undefined && typeof route.allow !== 'function')
      throw new ConfigurationError(`${at}: "allow" must be a function`);
    const resources = (route.method === '*' ? METHODS : [route.method]).map((m) => `${m}${path}`);
    for (const resource of resources) {
      if (seen.has(resource)) throw new ConfigurationError(`${at}: ${resource} is covered twice`);
      seen.add(resource);
    }
    return { resources, allow: route.allow };
  });
}

/** The parts of an `execute-api` ARN an authorizer needs. */
export interface ExecuteApiArn {
  /** `arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/`: every policy resource starts so. */
  readonly base: string;
  /** The HTTP method of the request. */
  readonly method: string;
  /** The request path, from `/`. */
  readonly path: string;
}

/** Reads a method or route ARN; an `InvalidEventError` when it is not one. */
export function parseArn(arn: string): ExecuteApiArn {
  const parts = arn.split(':');
  const resource = parts.slice(5).join(':');
  const [apiId, stage, method] = resource.split('/');
  if (
    parts.length < 6 ||
    parts[0] !== 'arn' ||
    parts[2] !== 'execute-api' ||
    !apiId ||
    !stage ||
    !method ||
    resource.split('/').length < 4
  ) {
    throw new InvalidEventError('Malformed authorizer event: the method ARN is not an execute-api ARN');
  }
  const prefix = `${parts.slice(0, 5).join(':')}:${apiId}/${stage}/`;
  return { base: prefix, method, path: resource.slice(apiId.length + stage.length + method.length + 2) };
}

/**
 * Whether an ARN matches an IAM resource pattern: `*` is any run of characters (`/` included), `?`
 * one character, everything else itself, case-sensitively. Linear-time two-pointer matching.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  let p = 0;
  let a = 0;
  let star = -1;
  let mark = 0;
  while (a < arn.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === arn[a])) {
      p += 1;
      a += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      mark = a;
      p += 1;
    } else if (star !== -1) {
      p = star + 1;
      mark += 1;
      a = mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/**
 * Whether some ARN matches both patterns (which hold literal characters and `*` only). A Deny that
 * overlaps an Allow would win over it in IAM, so such a Deny is left out and the implicit deny of
 * everything not allowed does its work.
 */
export function patternsOverlap(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const visit = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = visit(i + 1, j) || (j < b.length && visit(i, j + 1));
    else if (b[j] === '*') result = visit(i, j + 1) || (i < a.length && visit(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && visit(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return visit(0, 0);
}

/** How API Gateway evaluates a policy for one ARN: an explicit Deny wins, then any Allow, else deny. */
export function evaluatePolicy(policy: AuthorizerPolicyDocument, arn: string): boolean {
  const hits = (effect: 'Allow' | 'Deny') =>
    policy.Statement.some((s) => s.Effect === effect && s.Resource.some((r) => arnMatches(r, arn)));
  return !hits('Deny') && hits('Allow');
}

function statement(effect: 'Allow' | 'Deny', resources: readonly string[]): AuthorizerPolicyStatement {
  return { Action: 'execute-api:Invoke', Effect: effect, Resource: resources };
}

/**
 * The policy of one principal, for every request of the stage: a function of the principal alone,
 * never of the request that asked, so the copy API Gateway caches is right for every route. Without
 * rules it allows the whole stage (`{apiId}/{stage}/*\/*`). With rules it allows exactly the rules
 * the principal passes and explicitly denies the others that overlap no allowed one; when it passes
 * none, it denies the whole stage.
 */
export async function principalPolicy(
  principal: Principal,
  arn: ExecuteApiArn,
  rules: readonly Rule[] | undefined,
): Promise<AuthorizerPolicyDocument> {
  if (rules === undefined)
    return { Version: '2012-10-17', Statement: [statement('Allow', [`${arn.base}*/*`])] };
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const rule of rules) {
    const grants = rule.allow === undefined || (await rule.allow(principal)) === true;
    for (const resource of rule.resources) (grants ? allowed : denied).push(`${arn.base}${resource}`);
  }
  if (allowed.length === 0)
    return { Version: '2012-10-17', Statement: [statement('Deny', [`${arn.base}*/*`])] };
  const explicit = denied.filter((d) => !allowed.some((a) => patternsOverlap(a, d)));
  return {
    Version: '2012-10-17',
    Statement: [statement('Allow', allowed), ...(explicit.length > 0 ? [statement('Deny', explicit)] : [])],
  };
}
