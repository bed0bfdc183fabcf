/**
 * A generated app of 200 chained routes and a client calling some of them must type-check quickly
 * and without "excessively deep" errors: the route table is one intersection the compiler only
 * indexes into, and each call computes the types of its own route alone.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROUTES = 200;
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = `${root}node_modules/.cache/lift-client-scale/`;
const src = `${root}packages/core/src/`;

/** Route `i`: every fourth takes schemas and declares its response, the rest infer it. */
function route(i: number): string {
  switch (i % 4) {
    case 0:
      return `.post('/r${i}/:id', { params: z.object({ id: z.string() }), body: z.object({ n${i}: z.number() }), responses: { 201: z.object({ id: z.string(), at: z.coerce.date() }) } }, (ctx) => ctx.json(201, { id: ctx.params.id, at: new Date() }))`;
    case 1:
      return `.get('/r${i}/:a/items/{b}', { query: z.object({ limit: z.coerce.number().optional() }) }, (ctx) => ({ a: ctx.params.a, b${i}: ctx.params.b }))`;
    case 2:
      return `.delete('/r${i}/:id', () => undefined)`;
    default:
      return `.put('/r${i}', async (ctx) => ctx.json(200, { body: ctx.body, n: ${i} }))`;
  }
}

function program(): string {
  return `import * as z from 'zod';
import { createApp } from '${src}app/app.js';
import { createClient } from '${src}client/index.js';

export const app = createApp({ service: 'scale' })
  ${Array.from({ length: ROUTES }, (_, i) => route(i)).join('\n  ')};

const client = createClient<typeof app>('https://api.example.com', { schemas: app });

export async function calls(): Promise<void> {
  const made = await client.post('/r0/:id', { params: { id: 'x' }, body: { n0: 1 } });
  if (made.ok) { const at: Date = made.data.at; void at; }
  const got = await client.get('/r${ROUTES - 3}/:a/items/{b}', { params: { a: 'a', b: 'b' }, query: { limit: 2 } });
  if (got.ok) { const b: string = got.data.b${ROUTES - 3}; void b; }
  const gone = await client.delete('/r${ROUTES - 2}/:id', { params: { id: 'x' } });
  if (gone.ok) { const none: undefined = gone.data; void none; }
  const put = await client.put('/r${ROUTES - 1}', { body: { any: 'thing' } });
  if (put.ok) { const n: number = put.data.n; void n; }
  // @ts-expect-error a route the app does not have
  await client.get('/r${ROUTES}');
  // @ts-expect-error the body schema wants a number
  await client.post('/r${ROUTES - 4}/:id', { params: { id: 'x' }, body: { n${ROUTES - 4}: 'one' } });
}
`;
}

describe('a 200-route app', () => {
  it('type-checks with its client in seconds', () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const file = `${dir}app.ts`;
    writeFileSync(file, program());
    const config = ts.readConfigFile(`${root}tsconfig.base.json`, ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const started = performance.now();
    const checked = ts.createProgram([file], { ...options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(checked);
    const seconds = (performance.now() - started) / 1000;
    // How much work the checker did, independent of the machine's load: what this test bounds.
    const instantiations = (
      checked.getTypeChecker() as unknown as { getInstantiationCount(): number }
    ).getInstantiationCount();
    const messages = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    rmSync(dir, { recursive: true, force: true });
    expect(messages).toEqual([]);
    console.info(
      `200-route app and client type-checked in ${seconds.toFixed(1)} s (${instantiations} type instantiations)`,
    );
    // Measured at about 214,000 instantiations and 5 s (parsing zod and the libs included) on two
    // cores; the first design made 1.86 million (quadratic in the routes). The time bound only
    // catches a hang: a loaded CI machine runs this beside other suites.
    expect(instantiations).toBeLessThan(400_000);
    expect(seconds).toBeLessThan(90);
  }, 120_000);
});
