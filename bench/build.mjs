// Bundles the benchmark runner the way a Lambda deploy bundles a handler (esbuild, ESM, node),
// so what is timed is deployable code: no TypeScript loader, no keepNames wrappers.

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

await build({
  entryPoints: {
    run: fileURLToPath(new URL('./run.ts', import.meta.url)),
    'cold-path': fileURLToPath(new URL('./cold-path.ts', import.meta.url)),
    'app-build': fileURLToPath(new URL('./app-build.ts', import.meta.url)),
    'obs-cost': fileURLToPath(new URL('./obs-cost.ts', import.meta.url)),
    'p2-first-sight': fileURLToPath(new URL('./p2-first-sight.ts', import.meta.url)),
    'cold-commits': fileURLToPath(new URL('./cold-commits.ts', import.meta.url)),
    floors: fileURLToPath(new URL('./floors.ts', import.meta.url)),
    deployed: fileURLToPath(new URL('./deployed.ts', import.meta.url)),
    'load-crud': fileURLToPath(new URL('./load-crud.ts', import.meta.url)),
    'load-bubble': fileURLToPath(new URL('./load-bubble.ts', import.meta.url)),
  },
  outdir: fileURLToPath(new URL('./.bench-out/', import.meta.url)),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@lift/source'],
  // aws-cdk-lib is loaded from node_modules: @lift/cdk's index, which exports bundleEntry, imports it.
  external: ['esbuild', 'autocannon', 'typescript', 'aws-cdk-lib', 'constructs'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
