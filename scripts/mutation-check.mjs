// `npm run test:mutation`: proves the tenant-isolation property test guards what it claims to. Each
// mutation below removes one guard from a copy of packages/core/src (never the sources themselves);
// the property test must then fail on an assertion. A mutation whose text no longer appears exactly
// once fails the run, so the list keeps up with the code. The unmutated copy must pass first.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
// One folder per run, so two runs at once (two terminals, CI and a developer) never share copies.
const work = join(repo, '.mutants', String(process.pid));
const TEST = 'src/auth/tenant-property.test.ts';

/** Each guard of the tenant and permission-context checks, and the code that does without it. */
const MUTATIONS = [
  {
    guard: 'a repeated query key is refused',
    file: 'src/auth/request-fields.ts',
    find: "if (values.length > 1) throw ambiguous(describePlace('query', field, false, undefined), 'repeated');",
    replace: '',
  },
  {
    guard: 'the query value is checked',
    file: 'src/auth/request-fields.ts',
    find: "found('query', field, values[0] as string, false, undefined);",
    replace: '',
  },
  {
    guard: 'the path parameter is checked',
    file: 'src/auth/request-fields.ts',
    find: "found('params', field, value, false, undefined);",
    replace: '',
  },
  {
    guard: 'the header is checked',
    file: 'src/auth/request-fields.ts',
    find: "found('headers', field, value, false, undefined);",
    replace: '',
  },
  {
    guard: 'a body value that is not a string is refused, not read as "no tenant named"',
    file: 'src/auth/request-fields.ts',
    find: "throw ambiguous(describePlace('body', field, false, frame), reason);",
    replace: 'return;',
  },
  {
    guard: 'nested body objects are searched',
    file: 'src/auth/request-fields.ts',
    find: 'stack.push({ node: value, parent: frame, key });',
    replace: 'void 0;',
  },
  {
    guard: 'arrays in the body are searched',
    file: 'src/auth/request-fields.ts',
    find: 'stack.push({ node: item, parent: frame, key: i });',
    replace: 'void 0;',
  },
  {
    guard: 'every JSON media type is read (+json, parameters, any case)',
    file: 'src/body/body.ts',
    find: "if (isJsonType(type)) return 'json';",
    replace: "if (contentType === 'application/json') return 'json';",
  },
  {
    guard: 'validated values are checked after the schemas ran',
    file: 'src/auth/route-access.ts',
    find: 'visitValidatedValues(ctx,',
    replace: '(() => {})(ctx,',
  },
  {
    guard: 'a validated value that is not a string is refused',
    file: 'src/auth/request-fields.ts',
    find: "else throw ambiguous(describePlace(part, field, true, frame), 'not_a_string');",
    replace: '',
  },
  {
    guard: "a named tenant must be the principal's",
    file: 'src/auth/route-access.ts',
    find: 'if (fields.tenant[part].has(field) && value !== principal.tenantId) {',
    replace: 'if (false) {',
  },
  {
    guard: "a cross-tenant role stays within the principal's tenant scope",
    file: 'src/auth/route-access.ts',
    find: 'if (principal.tenantScope !== undefined && !principal.tenantScope(value)) return false;',
    replace: '',
  },
  {
    guard: 'a permission context value must be held',
    file: 'src/auth/route-access.ts',
    find: 'if (!policy.holds(principal, field, value)) deny(',
    replace: 'if (false) deny(',
  },
  {
    guard: 'a permission context field is checked in the body too, not only in the path and query',
    file: 'src/auth/route-access.ts',
    find: "if (part !== 'headers' && contextSet.has(field)) {",
    replace: "if ((part === 'params' || part === 'query') && contextSet.has(field)) {",
  },
  {
    guard: 'a request that names no permission context field is refused',
    file: 'src/auth/route-access.ts',
    find: 'if (!contextMayComeLater) deny(',
    replace: 'if (false) deny(',
  },
];

function prepare(name, mutation) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(repo, 'packages/core/src'), join(dir, 'src'), { recursive: true });
  if (mutation !== undefined) {
    const path = join(dir, mutation.file);
    const text = readFileSync(path, 'utf8');
    const count = text.split(mutation.find).length - 1;
    if (count !== 1)
      throw new Error(
        `mutation "${mutation.guard}": expected its text once in ${mutation.file}, found ${count}`,
      );
    writeFileSync(path, text.replace(mutation.find, mutation.replace));
  }
  // The same resolution and environment as the repository's own vitest.config.ts.
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    `export default {
  resolve: { conditions: ['@lift/source'] },
  ssr: { resolve: { conditions: ['@lift/source'] } },
  test: { include: ['${TEST}'], env: { POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' } },
};
`,
  );
  return dir;
}

function run(dir) {
  const vitest = join(repo, 'node_modules/vitest/vitest.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', '--root', dir, '--reporter', 'dot'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

let failed = 0;
try {
  const control = await run(prepare('control'));
  if (control.code !== 0) {
    console.error(control.output);
    throw new Error('the property test fails without any mutation; fix it before mutating');
  }
  console.log('control (no mutation): property test passes');
  const dirs = MUTATIONS.map((mutation, i) => prepare(`m${i}`, mutation));
  const results = new Array(MUTATIONS.length);
  let next = 0;
  const worker = async () => {
    while (next < MUTATIONS.length) {
      const i = next++;
      results[i] = await run(dirs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, availableParallelism()) }, worker));
  MUTATIONS.forEach((mutation, i) => {
    const { code, output } = results[i];
    // A mutant counts as caught only by a failed property, not by a crash or a compile error.
    const caught = code !== 0 && /Property failed/.test(output);
    console.log(`${caught ? 'caught ' : 'MISSED '} without: ${mutation.guard}`);
    if (!caught) {
      failed += 1;
      console.error(output.split('\n').slice(-40).join('\n'));
    }
  });
} finally {
  rmSync(work, { recursive: true, force: true });
  try {
    rmdirSync(join(repo, '.mutants')); // only when no other run is using it
  } catch {}
}
if (failed > 0) {
  console.error(`${failed} of ${MUTATIONS.length} mutations survived the property test`);
  process.exit(1);
}
console.log(`all ${MUTATIONS.length} guards are needed: removing any one makes the property test fail`);
