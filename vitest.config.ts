import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources through the `@lift/source` export condition,
// so no build step sits between an edit and a test run.
export default defineConfig({
  resolve: { conditions: ['@lift/source'] },
  ssr: { resolve: { conditions: ['@lift/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'reference/*/src/**/*.test.ts',
      'reference/*/infra/**/*.test.ts',
      'docs/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    // The CDK suites synthesise whole stacks (CPU-heavy for seconds): they run on their own, one file
    // at a time, in `npm run test:cdk` (vitest.cdk.config.ts), so they never starve the timing tests.
    exclude: ['**/node_modules/**', 'packages/cdk/**', 'reference/*/infra/**'],
    typecheck: { enabled: false },
    // Apps log every request and write EMF by default; in tests that would be thousands of lines.
    // Local-run settings, as Powertools reads them: no metrics, logs from WARN. Tests of those
    // defaults remove them (test-support/environment.ts).
    env: { POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' },
    // Apps without a logger report each failed or dropped record on stderr (errors/report.ts), and the
    // fuzz suites fail thousands on purpose. Tests of those lines spy on console.error, which this
    // filter never sees.
    onConsoleLog: (log) => !log.startsWith('{"level":"ERROR","message":"Record '),
    pool: 'threads',
    // Many tests start real processes and servers; on a loaded CI machine 5 s is too tight.
    testTimeout: 30_000,
  },
});
