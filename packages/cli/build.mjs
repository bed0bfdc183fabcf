// Builds the CLI into dist/: its own sources bundled into the `lift` binary and the programmatic API,
// with every package it depends on, @lift/core included, left to node_modules, so a project has one
// copy of @lift/core whether it imports it itself or runs `lift`. Types come from tsc.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = new URL('.', import.meta.url).pathname;
rmSync(new URL('dist', import.meta.url), { recursive: true, force: true });
const shared = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  // Tools run on the developer's Node, the oldest supported one included.
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
};
await build({
  ...shared,
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/lift.mjs',
  banner: { js: '#!/usr/bin/env node' },
});
await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.mjs' });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
