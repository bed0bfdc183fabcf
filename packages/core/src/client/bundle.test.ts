/**
 * The client is meant for frontend bundles: bundled for the browser it must carry only its own
 * folder (no `app`, no Node built-ins, which esbuild refuses for the browser platform) and stay small.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the client bundle', () => {
  it('holds only the client, minified under 8 KB', async () => {
    const result = await build({
      stdin: {
        contents:
          "import { createClient } from './index.ts'; export const client = createClient('https://api.example.com');",
        resolveDir: new URL('.', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).filter((path) => path !== '<stdin>');
    expect(inputs.every((path) => path.includes('packages/core/src/client/'))).toBe(true);
    const bytes = result.outputFiles[0]?.contents.byteLength ?? Number.POSITIVE_INFINITY;
    console.info(`client bundle: ${bytes} bytes minified`);
    expect(bytes).toBeLessThan(8 * 1024);
  });
});
