#!/usr/bin/env node
// The \`lift\` command. A published package ships dist/. In this repository npm links bins at install
// time, before anything is built, so this launcher builds dist/ on first use (build.mjs builds the
// workspace's @lift/core first when it is missing, as the CLI imports it, never bundles it).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/lift.mjs', import.meta.url);
const workspaceCore = new URL('../../core/', import.meta.url);
// Only a workspace checkout has core's tsconfig.build.json; a published @lift/core does not.
const coreMissing =
  existsSync(new URL('tsconfig.build.json', workspaceCore)) &&
  !existsSync(new URL('dist/index.js', workspaceCore));
if (!existsSync(dist) || coreMissing) {
  execFileSync(process.execPath, ['build.mjs'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
}
await import(dist.href);
