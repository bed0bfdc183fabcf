import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The CDK suites: synthesis is CPU-heavy, so files run one at a time, apart from the main suite.
// Every App without an outdir writes its cloud assembly under CDK_OUTDIR, removed by the teardown.
const outdir = mkdtempSync(join(tmpdir(), 'lift-cdk-tests-'));
export default defineConfig({
  resolve: { conditions: ['@lift/source'] },
  ssr: { resolve: { conditions: ['@lift/source'] } },
  test: {
    include: ['packages/cdk/src/**/*.test.ts', 'reference/*/infra/**/*.test.ts'],
    fileParallelism: false,
    env: { POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'WARN', CDK_OUTDIR: outdir },
    globalSetup: ['./packages/cdk/test-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
