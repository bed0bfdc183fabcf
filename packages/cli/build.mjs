// Builds the CLI into dist/: the TypeScript sources and @lift/core bundled, runtime dependencies
// (esbuild, dynalite, the AWS SDK) left to node_modules.
import { build } from 'esbuild';

const shared = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@lift/source'],
  external: ['esbuild', 'dynalite', '@aws-sdk/*', '@smithy/*'],
  logLevel: 'warning',
};
await build({
  ...shared,
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/lift.mjs',
  banner: { js: '#!/usr/bin/env node' },
});
await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.mjs' });
