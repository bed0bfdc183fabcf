import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { securityHeaders } from './security-headers.js';

describe('securityHeaders', () => {
  it('every app adds secure defaults to every response, errors and 404s included', async () => {
    const app = createApp({ onError: () => {} });
    app.get('/ok', () => 'ok');
    app.get('/boom', () => {
      throw new Error('x');
    });
    for (const path of ['/ok', '/boom', '/missing']) {
      const res = await app.request(path);
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      expect(res.headers.get('permissions-policy'), path).toBe('camera=(), microphone=(), geolocation=()');
    }
  });

  it('keeps headers the handler set and lets createApp options drop or change one', async () => {
    const app = createApp({ securityHeaders: { frameOptions: false, referrerPolicy: 'same-origin' } });
    app.get('/cached', (ctx) => ctx.header('Cache-Control', 'public, max-age=60').text('x'));
    const res = await app.request('/cached');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('gives the same headers whether or not one of them is switched off', async () => {
    const build = (options: Parameters<typeof securityHeaders>[0]) => {
      const app = createApp({ securityHeaders: options ?? {}, requestId: false });
      app.get('/', (ctx) => ctx.header('x-frame-options', 'SAMEORIGIN').text('x'));
      return app.request('/');
    };
    const all = Object.fromEntries((await build({})).headers);
    const without = Object.fromEntries((await build({ referrerPolicy: false })).headers);
    expect(all['x-frame-options']).toBe('SAMEORIGIN');
    expect({ ...without, 'referrer-policy': 'no-referrer' }).toEqual(all);
  });

  it('can be turned off, and then used on a group of its own', async () => {
    const app = createApp({ securityHeaders: false });
    app.get('/bare', () => 'x');
    app
      .group('/pages')
      .use(securityHeaders({ contentSecurityPolicy: "default-src 'self'" }))
      .get('/', () => 'x');
    const bare = await app.request('/bare');
    expect(bare.headers.get('strict-transport-security')).toBeNull();
    expect(bare.headers.get('x-content-type-options')).toBeNull();
    const page = await app.request('/pages');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
  });

  it("a group's own value wins over the app's default", async () => {
    const app = createApp({});
    app
      .group('/pages')
      .use(securityHeaders({ contentSecurityPolicy: "default-src 'self'" }))
      .get('/', () => 'x');
    const page = await app.request('/pages');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('adding the default again with app.use is refused, naming the option to use', () => {
    expect(() => createApp({}).use(securityHeaders())).toThrow(
      /createApp\(\{ securityHeaders: \{\.\.\.\} \}\)/,
    );
    expect(() => createApp({ securityHeaders: false }).use(securityHeaders())).not.toThrow();
    expect(() => createApp({ securityHeaders: 'on' as never })).toThrow(/options object or false/);
  });

  it('refuses unknown options and multi-line values', () => {
    expect(() => securityHeaders({ hsts: 'x' } as never)).toThrow(/unknown option "hsts"/);
    expect(() => securityHeaders({ referrerPolicy: 'a\r\nSet-Cookie: x=1' })).toThrow(/single-line/);
  });
});
