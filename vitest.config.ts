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
      'docs/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    typecheck: { enabled: false },
    pool: 'threads',
  },
});
