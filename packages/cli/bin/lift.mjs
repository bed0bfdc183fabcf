#!/usr/bin/env node
// The `lift` command. A published package ships dist/. In this repository npm links bins at install
// time, before anything is built, so this launcher builds what is missing on first use: @lift/core
// (which the CLI imports, never bundles) and then the CLI itself.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const dist = new URL('../dist/lift.mjs', import.meta.url);
const workspaceCore = new URL('../../core/', import.meta.url);
if (
  existsSync(new URL('tsconfig.build.json', workspaceCore)) &&
  !existsSync(new URL('dist/index.js', workspaceCore))
) {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: workspaceCore.pathname, stdio: 'inherit' });
}
if (!existsSync(dist)) {
  execFileSync(process.execPath, ['build.mjs'], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: 'inherit',
  });
}
await import(dist.href);
