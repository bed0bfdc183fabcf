import { describe, expect, it } from 'vitest';
import { BadRequestError, ConfigurationError } from '../errors/errors.js';
import { CONFORMANCE_CASES, CONFORMANCE_ROUTES } from './conformance.js';
import { checkPattern, parsePattern } from './pattern.js';
import { ANY_METHOD, Router } from './router.js';

function conformanceRouter(): Router<string> {
  const router = new Router<string>();
  for (const [method, pattern] of CONFORMANCE_ROUTES) {
    router.add(method === 'ALL' ? ANY_METHOD : method, pattern, pattern);
  }
  router.compile();
  return router;
}

describe('router conformance table', () => {
  const router = conformanceRouter();
  it('has at least 60 cases', () => {
    expect(CONFORMANCE_CASES.length).toBeGreaterThanOrEqual(60);
  });
  for (const c of CONFORMANCE_CASES) {
    it(`${c.name}: ${c.method} ${c.path}`, () => {
      const encoded = c.encoded ?? true;
      if ('status' in c.expect && c.expect.status === 400) {
        expect(() => router.match(c.method, c.path, encoded)).toThrow(BadRequestError);
        return;
      }
      const result = router.match(c.method, c.path, encoded);
      if ('route' in c.expect) {
        expect(result.found).toBe(true);
        if (!result.found) return;
        expect(result.route.pattern).toBe(c.expect.route);
        expect({ ...result.params }).toEqual(c.expect.params ?? {});
      } else {
        expect(result.found).toBe(false);
        if (result.found) return;
        if (c.expect.status === 405) expect(result.allow?.join(', ')).toBe(c.expect.allow);
        else expect(result.allow).toBeUndefined();
      }
    });
  }
});

describe('router registration', () => {
  it('rejects a duplicate route, whatever the param names', () => {
    const router = new Router<number>();
    router.add('GET', '/users/:id', 1);
    expect(() => router.add('GET', '/users/{userId}', 2)).toThrow(/Duplicate route: GET \/users\/\{userId\}/);
    expect(() => router.add('GET', '/users/:id/', 3)).toThrow(ConfigurationError);
    router.add('POST', '/users/:id', 4);
  });

  it('rejects bad patterns with a message naming them', () => {
    const router = new Router<number>();
    expect(() => router.add('GET', 'users', 1)).toThrow(/must start with "\/"/);
    expect(() => router.add('GET', '/a/*/b', 1)).toThrow(/Wildcard must be the last segment/);
    expect(() => router.add('GET', '/a/:id/:id', 1)).toThrow(/appears twice/);
    expect(() => router.add('GET', '/a/:1x', 1)).toThrow(/Invalid parameter name/);
    expect(() => router.add('GET', '/a//b', 1)).toThrow(/empty segment/);
    expect(() => router.add('GET', '/a/file-:id', 1)).toThrow(/whole segment/);
  });

  it('is read-only once compiled', () => {
    const router = new Router<number>();
    router.compile();
    expect(() => router.add('GET', '/x', 1)).toThrow(/compiled/);
  });

  it('does not let a __proto__ path reach the prototype', () => {
    const router = conformanceRouter();
    const result = router.match('GET', '/users/__proto__', true);
    expect(result.found && result.params.id).toBe('__proto__');
    expect(router.match('GET', '/__proto__', true).found).toBe(false);
    expect(router.match('constructor', '/health', true).found).toBe(false);
  });
});

describe('pattern checking', () => {
  it('parses each syntax, with the shape and param names the router keys on', () => {
    expect(checkPattern('/users/:id/files/{path+}')).toEqual({
      segments: [
        { kind: 'static', value: 'users' },
        { kind: 'param', value: 'id' },
        { kind: 'static', value: 'files' },
        { kind: 'wildcard', value: 'path' },
      ],
      shape: '/users/:/files/*',
      paramNames: ['id', 'path'],
    });
    expect(checkPattern('/a/{_b2}/*')).toMatchObject({ shape: '/a/:/*', paramNames: ['_b2', '*'] });
    expect(checkPattern('/health/')).toMatchObject({ shape: '/health', paramNames: [] });
    expect(checkPattern('/')).toEqual({ segments: [], shape: '/', paramNames: [] });
    expect(checkPattern('//').shape).toBe('/');
  });

  it('checks a text once and shares the result; parsePattern hands out a copy', () => {
    const first = checkPattern('/shared/:id');
    expect(checkPattern('/shared/:id')).toBe(first);
    const copy = parsePattern('/shared/:id');
    expect(copy).toEqual(first.segments);
    expect(copy).not.toBe(first.segments);
  });

  it('refuses a bad pattern every time it is asked, not only the first', () => {
    for (let i = 0; i < 2; i++) expect(() => checkPattern('/a/:id/:id')).toThrow(/appears twice/);
  });

  it.each([
    ['/a/:', 'Invalid parameter name ""'],
    ['/a/{}', 'Invalid parameter name ""'],
    ['/a/{+}', 'Invalid parameter name ""'],
    ['/a/:a-b', 'Invalid parameter name "a-b"'],
    ['/a/:1x', 'Invalid parameter name "1x"'],
    ['/a/:é', 'Invalid parameter name "é"'],
    ['/a/:x\n', 'Invalid parameter name "x\n"'],
    ['/a/:__proto__', 'Invalid parameter name "__proto__"'],
    ['/a/{b}}', 'Invalid parameter name "b}"'],
    ['/a/x{y}', 'mixes text and parameter syntax'],
    ['/a/x:y', 'mixes text and parameter syntax'],
    ['/a/x*', 'mixes text and parameter syntax'],
    ['/a/}', 'mixes text and parameter syntax'],
    ['/a/{p+}/b', 'Wildcard must be the last segment'],
    ['/a//', 'empty segment'],
    ['', 'must start with "/"'],
  ])('refuses %j (%s)', (pattern, message) => {
    expect(() => checkPattern(pattern)).toThrow(ConfigurationError);
    expect(() => checkPattern(pattern)).toThrow(message);
  });

  it('accepts names of letters, digits and underscores not starting with a digit', () => {
    for (const name of ['a', 'Z', '_', 'a1', 'itemId', 'A_9_z'])
      expect(checkPattern(`/x/:${name}`).paramNames).toEqual([name]);
  });
});
