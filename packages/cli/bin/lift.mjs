#!/usr/bin/env node
// The `lift` command. npm links bins at install time, before a workspace checkout has built dist/,
// so this launcher is committed and builds dist/ on first use when it is missing.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/lift.mjs', import.meta.url);
if (!existsSync(dist)) {
  const cwd = process.cwd();
  process.chdir(new URL('..', import.meta.url).pathname);
  await import('../build.mjs');
  process.chdir(cwd);
}
await import(dist.href);
