// Bundles the benchmark runner the way a Lambda deploy bundles a handler (esbuild, ESM, node),
// so what is timed is deployable code: no TypeScript loader, no keepNames wrappers.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./run.ts', import.meta.url).pathname],
  outfile: new URL('./.bench-out/run.mjs', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@lift/source'],
  external: ['esbuild'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
