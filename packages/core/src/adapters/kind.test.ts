import { describe, expect, it } from 'vitest';
import { fixtureNames, loadFixture } from '../test-support/fixtures.js';
import { detectHttpAdapter } from './detect.js';
import { httpEventKind } from './kind.js';

describe('httpEventKind', () => {
  it('calls HTTP exactly the fixture events the adapters take or refuse as malformed HTTP', () => {
    const disagreements: string[] = [];
    for (const name of fixtureNames()) {
      const event = loadFixture(name);
      let adapter: unknown;
      try {
        adapter = detectHttpAdapter(event);
      } catch {
        adapter = 'malformed HTTP';
      }
      if ((adapter !== undefined) !== (httpEventKind(event) !== undefined)) disagreements.push(name);
    }
    expect(disagreements).toEqual([]);
    // The set is not trivial: both kinds are among the fixtures.
    const kinds = fixtureNames().map((name) => httpEventKind(loadFixture(name)));
    expect(new Set(kinds)).toEqual(new Set(['v2', 'alb', 'v1', undefined]));
  });

  it('takes no authorizer, WebSocket or record payload with request-like keys for a request', () => {
    expect(httpEventKind({ version: '2.0', type: 'REQUEST', routeArn: 'arn', requestContext: {} })).toBe(
      undefined,
    );
    expect(httpEventKind({ type: 'TOKEN', methodArn: 'arn', httpMethod: 'GET', requestContext: {} })).toBe(
      undefined,
    );
    expect(httpEventKind({ httpMethod: 'GET', requestContext: { connectedAt: 1 } })).toBe(undefined);
    expect(httpEventKind({ Records: [], requestContext: { http: {} } })).toBe(undefined);
    expect(httpEventKind({ httpMethod: 'GET' })).toBe(undefined);
    expect(httpEventKind({ httpMethod: 'GET', requestContext: [] })).toBe(undefined);
  });
});
