/**
 * The router conformance table: one route set, and the answer every request must get. Shared so
 * the router unit test and the app-level test (through real adapters) hold both to the same table.
 */

/** Routes of the conformance app, registered deliberately out of precedence order. */
export const CONFORMANCE_ROUTES: readonly (readonly [method: string, pattern: string])[] = [
  ['GET', '/files/*'],
  ['GET', '/users/:id'],
  ['GET', '/users/me'],
  ['PUT', '/users/:id'],
  ['DELETE', '/users/:id'],
  ['GET', '/users/:id/posts/:postId'],
  ['GET', '/users/:id/posts/latest'],
  ['GET', '/'],
  ['POST', '/'],
  ['GET', '/health'],
  ['GET', '/a/b/c'],
  ['GET', '/a/:x/c'],
  ['GET', '/a/:x/:y'],
  ['GET', '/a/b/*'],
  ['GET', '/orgs/{orgId}/repos/{repoId}'],
  ['GET', '/proxy/{proxy+}'],
  ['POST', '/only-post'],
  ['ALL', '/any'],
  ['GET', '/café'],
  ['GET', '/static/v1.0/info'],
  ['PATCH', '/items/:id'],
  ['GET', '/items'],
  ['POST', '/items'],
  ['GET', '/deep/:a/:b/:c/:d/:e'],
  ['HEAD', '/head-only'],
  ['OPTIONS', '/opts'],
];

/** What one request must get. */
export type Expected =
  | { readonly route: string; readonly params?: Readonly<Record<string, string>> }
  | { readonly status: 404 }
  | { readonly status: 405; readonly allow: string }
  | { readonly status: 400 };

/** One conformance case; `encoded` is false for sources that deliver a decoded path (HTTP API). */
export interface ConformanceCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly expect: Expected;
  readonly encoded?: boolean;
}

/** The cases. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  { name: 'root', method: 'GET', path: '/', expect: { route: '/' } },
  { name: 'root POST', method: 'POST', path: '/', expect: { route: '/' } },
  {
    name: 'root wrong method',
    method: 'DELETE',
    path: '/',
    expect: { status: 405, allow: 'GET, HEAD, POST' },
  },
  { name: 'static', method: 'GET', path: '/health', expect: { route: '/health' } },
  { name: 'static trailing slash', method: 'GET', path: '/health/', expect: { route: '/health' } },
  { name: 'static is case-sensitive', method: 'GET', path: '/Health', expect: { status: 404 } },
  { name: 'unknown path', method: 'GET', path: '/nope', expect: { status: 404 } },
  { name: 'unknown deep path', method: 'GET', path: '/nope/a/b/c', expect: { status: 404 } },
  { name: 'param', method: 'GET', path: '/users/42', expect: { route: '/users/:id', params: { id: '42' } } },
  { name: 'static beats param', method: 'GET', path: '/users/me', expect: { route: '/users/me' } },
  {
    name: 'param other methods',
    method: 'PUT',
    path: '/users/42',
    expect: { route: '/users/:id', params: { id: '42' } },
  },
  {
    name: 'param falls back for a method static lacks',
    method: 'PUT',
    path: '/users/me',
    expect: { route: '/users/:id', params: { id: 'me' } },
  },
  {
    name: 'param 405 lists methods',
    method: 'POST',
    path: '/users/42',
    expect: { status: 405, allow: 'GET, HEAD, PUT, DELETE' },
  },
  {
    name: 'param trailing slash',
    method: 'GET',
    path: '/users/42/',
    expect: { route: '/users/:id', params: { id: '42' } },
  },
  { name: 'param needs a value', method: 'GET', path: '/users//posts/1', expect: { status: 404 } },
  {
    name: 'two params',
    method: 'GET',
    path: '/users/7/posts/9',
    expect: { route: '/users/:id/posts/:postId', params: { id: '7', postId: '9' } },
  },
  {
    name: 'static after param wins',
    method: 'GET',
    path: '/users/7/posts/latest',
    expect: { route: '/users/:id/posts/latest', params: { id: '7' } },
  },
  { name: 'too many segments', method: 'GET', path: '/users/7/posts/9/extra', expect: { status: 404 } },
  { name: 'too few segments', method: 'GET', path: '/users/7/posts', expect: { status: 404 } },
  {
    name: 'wildcard one segment',
    method: 'GET',
    path: '/files/a.txt',
    expect: { route: '/files/*', params: { '*': 'a.txt' } },
  },
  {
    name: 'wildcard many segments',
    method: 'GET',
    path: '/files/a/b/c.txt',
    expect: { route: '/files/*', params: { '*': 'a/b/c.txt' } },
  },
  { name: 'wildcard needs a segment', method: 'GET', path: '/files', expect: { status: 404 } },
  { name: 'wildcard trailing slash only', method: 'GET', path: '/files/', expect: { status: 404 } },
  { name: 'wildcard 405', method: 'POST', path: '/files/a', expect: { status: 405, allow: 'GET, HEAD' } },
  {
    name: 'static over param over wildcard: static',
    method: 'GET',
    path: '/a/b/c',
    expect: { route: '/a/b/c' },
  },
  {
    name: 'static over param over wildcard: param',
    method: 'GET',
    path: '/a/z/c',
    expect: { route: '/a/:x/c', params: { x: 'z' } },
  },
  {
    name: 'backtracks to two params',
    method: 'GET',
    path: '/a/z/q',
    expect: { route: '/a/:x/:y', params: { x: 'z', y: 'q' } },
  },
  {
    name: 'static prefix wins before params are tried',
    method: 'GET',
    path: '/a/b/q',
    expect: { route: '/a/b/*', params: { '*': 'q' } },
  },
  { name: 'a prefix of routes is not a route', method: 'GET', path: '/a/b', expect: { status: 404 } },
  {
    name: 'backtracks from static to param',
    method: 'GET',
    path: '/users/me/posts/9',
    expect: { route: '/users/:id/posts/:postId', params: { id: 'me', postId: '9' } },
  },
  {
    name: 'wildcard after static when params cannot',
    method: 'GET',
    path: '/a/b/q/r',
    expect: { route: '/a/b/*', params: { '*': 'q/r' } },
  },
  { name: 'no match under /a', method: 'GET', path: '/a/z/q/r', expect: { status: 404 } },
  {
    name: 'API Gateway params',
    method: 'GET',
    path: '/orgs/o1/repos/r2',
    expect: { route: '/orgs/{orgId}/repos/{repoId}', params: { orgId: 'o1', repoId: 'r2' } },
  },
  {
    name: 'API Gateway proxy+',
    method: 'GET',
    path: '/proxy/x/y/z',
    expect: { route: '/proxy/{proxy+}', params: { proxy: 'x/y/z' } },
  },
  { name: 'API Gateway proxy+ needs a segment', method: 'GET', path: '/proxy', expect: { status: 404 } },
  {
    name: 'only POST gives 405 on GET',
    method: 'GET',
    path: '/only-post',
    expect: { status: 405, allow: 'POST' },
  },
  { name: 'only POST', method: 'POST', path: '/only-post', expect: { route: '/only-post' } },
  { name: 'ALL answers GET', method: 'GET', path: '/any', expect: { route: '/any' } },
  { name: 'ALL answers DELETE', method: 'DELETE', path: '/any', expect: { route: '/any' } },
  { name: 'ALL answers custom method', method: 'PROPFIND', path: '/any', expect: { route: '/any' } },
  {
    name: 'methods are case-sensitive',
    method: 'get',
    path: '/health',
    expect: { status: 405, allow: 'GET, HEAD' },
  },
  { name: 'HEAD served by GET', method: 'HEAD', path: '/health', expect: { route: '/health' } },
  {
    name: 'HEAD served by GET param',
    method: 'HEAD',
    path: '/users/5',
    expect: { route: '/users/:id', params: { id: '5' } },
  },
  { name: 'explicit HEAD route', method: 'HEAD', path: '/head-only', expect: { route: '/head-only' } },
  {
    name: 'HEAD-only path refuses GET',
    method: 'GET',
    path: '/head-only',
    expect: { status: 405, allow: 'HEAD' },
  },
  { name: 'explicit OPTIONS route', method: 'OPTIONS', path: '/opts', expect: { route: '/opts' } },
  {
    name: 'OPTIONS without route is 405',
    method: 'OPTIONS',
    path: '/health',
    expect: { status: 405, allow: 'GET, HEAD' },
  },
  {
    name: 'encoded param decoded',
    method: 'GET',
    path: '/users/a%20b',
    expect: { route: '/users/:id', params: { id: 'a b' } },
  },
  {
    name: 'encoded slash stays in the param',
    method: 'GET',
    path: '/users/a%2Fb',
    expect: { route: '/users/:id', params: { id: 'a/b' } },
  },
  {
    name: 'encoded unicode param',
    method: 'GET',
    path: '/users/%E2%9C%93',
    expect: { route: '/users/:id', params: { id: '✓' } },
  },
  { name: 'encoded static segment', method: 'GET', path: '/caf%C3%A9', expect: { route: '/café' } },
  { name: 'raw unicode static', method: 'GET', path: '/café', expect: { route: '/café' } },
  {
    name: 'double-encoded stays encoded once',
    method: 'GET',
    path: '/users/%2541',
    expect: { route: '/users/:id', params: { id: '%41' } },
  },
  { name: 'malformed percent-encoding', method: 'GET', path: '/users/%E0%A4%A', expect: { status: 400 } },
  { name: 'lone percent', method: 'GET', path: '/users/100%', expect: { status: 400 } },
  { name: 'bad hex', method: 'GET', path: '/users/%zz', expect: { status: 400 } },
  {
    name: 'decoded source: percent is literal',
    method: 'GET',
    path: '/users/100%',
    encoded: false,
    expect: { route: '/users/:id', params: { id: '100%' } },
  },
  {
    name: 'decoded source: no double decoding',
    method: 'GET',
    path: '/users/%41',
    encoded: false,
    expect: { route: '/users/:id', params: { id: '%41' } },
  },
  {
    name: 'plus is literal in paths',
    method: 'GET',
    path: '/users/a+b',
    expect: { route: '/users/:id', params: { id: 'a+b' } },
  },
  {
    name: 'dots in static',
    method: 'GET',
    path: '/static/v1.0/info',
    expect: { route: '/static/v1.0/info' },
  },
  {
    name: 'dot-dot is just a segment',
    method: 'GET',
    path: '/users/..',
    expect: { route: '/users/:id', params: { id: '..' } },
  },
  {
    name: 'PATCH param',
    method: 'PATCH',
    path: '/items/i1',
    expect: { route: '/items/:id', params: { id: 'i1' } },
  },
  { name: 'collection GET', method: 'GET', path: '/items', expect: { route: '/items' } },
  { name: 'collection POST', method: 'POST', path: '/items', expect: { route: '/items' } },
  {
    name: 'collection 405',
    method: 'DELETE',
    path: '/items',
    expect: { status: 405, allow: 'GET, HEAD, POST' },
  },
  {
    name: 'item GET is 405 (only PATCH)',
    method: 'GET',
    path: '/items/i1',
    expect: { status: 405, allow: 'PATCH' },
  },
  {
    name: 'five params',
    method: 'GET',
    path: '/deep/1/2/3/4/5',
    expect: { route: '/deep/:a/:b/:c/:d/:e', params: { a: '1', b: '2', c: '3', d: '4', e: '5' } },
  },
  { name: 'double slash is not root', method: 'GET', path: '//', expect: { status: 404 } },
  { name: 'empty middle segment', method: 'GET', path: '/a//c', expect: { status: 404 } },
  {
    name: 'query-like text is part of a decoded path',
    method: 'GET',
    path: '/users/a?b',
    encoded: false,
    expect: { route: '/users/:id', params: { id: 'a?b' } },
  },
];
