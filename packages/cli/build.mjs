// Builds the CLI into dist/: its own sources bundled into the `lift` binary and the programmatic API,
// with every package it depends on, @lift/core included, left to node_modules, so a project has one
// copy of @lift/core whether it imports it itself or runs `lift`. Types come from tsc.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('.', import.meta.url));
// In the repository, the CLI's types are checked against @lift/core's built types: build them first
// when they are missing (a published @lift/core has no tsconfig.build.json, so this never runs there).
const workspaceCore = new URL('../core/', import.meta.url);
if (
  existsSync(new URL('tsconfig.build.json', workspaceCore)) &&
  !existsSync(new URL('dist/index.d.ts', workspaceCore))
) {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: fileURLToPath(workspaceCore), stdio: 'inherit' });
}
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
