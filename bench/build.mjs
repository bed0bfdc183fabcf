// Bundles the benchmark runner the way a Lambda deploy bundles a handler (esbuild, ESM, node),
// so what is timed is deployable code: no TypeScript loader, no keepNames wrappers.
import { build } from 'esbuild';

await build({
  entryPoints: {
    run: new URL('./run.ts', import.meta.url).pathname,
    'load-crud': new URL('./load-crud.ts', import.meta.url).pathname,
  },
  outdir: new URL('./.bench-out/', import.meta.url).pathname,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@lift/source'],
  external: ['esbuild', 'autocannon'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
