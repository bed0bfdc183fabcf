import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { cors } from './cors.js';

function app(options: Parameters<typeof cors>[0]) {
  const a = createApp({ service: 'cors' });
  a.use(cors(options));
  a.get('/items', () => ['a']);
  a.post('/items', () => 'created');
  return a;
}

const preflight = (origin: string, method = 'POST') => ({
  method: 'OPTIONS',
  path: '/items',
  headers: {
    Origin: origin,
    'Access-Control-Request-Method': method,
    'Access-Control-Request-Headers': 'content-type',
  },
});

describe('cors', () => {
  const allowed = 'https://app.example.com';
  const api = app({ origins: [allowed], credentials: true });

  it('answers an allowed preflight before routing, with the exact origin', async () => {
    const res = await api.request(preflight(allowed));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toBe(
      'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    );
  });

  it('refuses a preflight from an unlisted origin or for an unlisted method', async () => {
    const res = await api.request(preflight('https://evil.example.com'));
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin');
    expect((await api.request(preflight(allowed, 'TRACE'))).status).toBe(403);
  });

  it('adds CORS headers to actual responses for allowed origins only, with Vary: Origin on all', async () => {
    const ok = await api.request('/items', { headers: { origin: allowed } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(ok.headers.get('vary')).toBe('Origin');
    const denied = await api.request('/items', { headers: { origin: 'https://evil.example.com' } });
    expect(denied.status).toBe(200);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.headers.get('vary')).toBe('Origin');
  });

  it('covers 404 and error responses too', async () => {
    const missing = await api.request('/missing', { headers: { origin: allowed } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('allows any origin with "*" only without credentials', async () => {
    const open = app({ origins: ['*'] });
    const res = await open.request('/items', { headers: { origin: 'https://anyone.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(() => cors({ origins: ['*'], credentials: true })).toThrow(/credentials cannot be combined/);
  });

  it('accepts a predicate but never the "null" origin', async () => {
    const dynamic = app({ origins: (o) => o.endsWith('.example.com') });
    expect(
      (await dynamic.request('/items', { headers: { origin: 'https://a.example.com' } })).headers.get(
        'access-control-allow-origin',
      ),
    ).toBe('https://a.example.com');
    const nul = app({ origins: () => true });
    expect(
      (await nul.request('/items', { headers: { origin: 'null' } })).headers.get(
        'access-control-allow-origin',
      ),
    ).toBeNull();
  });

  it('checks its options at start-up', () => {
    expect(() => cors({ origins: ['https://app.example.com/'] })).toThrow(/not an exact origin/);
    expect(() => cors({ origins: ['app.example.com'] })).toThrow(/not an exact origin/);
    expect(() => cors({ origins: ['null'] })).toThrow(/not an exact origin/);
    expect(() => cors({ origins: [allowed], allowHeaders: ['bad header'] })).toThrow(/invalid header/);
    expect(() => cors({ origins: [allowed], maxAg: 5 } as never)).toThrow(/unknown option "maxAg"/);
    expect(() => cors({} as never)).toThrow(/origins/);
  });
});
