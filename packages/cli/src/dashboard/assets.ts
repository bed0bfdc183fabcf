import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

/**
 * Scripts only from this origin, no inline script (rendered data can never run); Swagger UI sets
 * inline styles and shows data: images, hence those two.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/** The dashboard's own files: beside this module in the sources, under `src/` from the built `dist/`. */
function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'static'), join(here, '..', 'src', 'dashboard', 'static')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined)
    throw new Error(`the dev dashboard's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** The files of the installed swagger-ui-dist that the explorer page loads. */
const SWAGGER_FILES = new Set(['swagger-ui-bundle.js', 'swagger-ui.css']);

/** Serves the dashboard's static files, and Swagger UI from node_modules (no CDN). */
export interface Assets {
  /** Answers `file` (a name under the dashboard's folder, or `swagger-ui/<file>`); false when unknown. */
  serve(file: string, res: ServerResponse): boolean;
}

/** Reads the files on first use and keeps them: they do not change while the server runs. */
export function dashboardAssets(): Assets {
  const cache = new Map<string, Buffer>();
  let dir: string | undefined;
  let swagger: string | undefined;
  const read = (path: string) => {
    let body = cache.get(path);
    if (body === undefined) {
      body = readFileSync(path);
      cache.set(path, body);
    }
    return body;
  };
  return {
    serve(file, res) {
      let path: string;
      if (file.startsWith('swagger-ui/')) {
        const name = file.slice('swagger-ui/'.length);
        if (!SWAGGER_FILES.has(name)) return false;
        swagger ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
        path = join(swagger, name);
      } else {
        // Plain names only: nothing outside the folder can be asked for.
        if (!/^[a-z0-9-]+\.(html|js|css)$/.test(file)) return false;
        dir ??= staticDir();
        path = join(dir, file);
        if (!existsSync(path)) return false;
      }
      const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
      res
        .writeHead(200, {
          'content-type': type,
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          ...(type.startsWith('text/html') ? { 'content-security-policy': CSP } : {}),
        })
        .end(read(path));
      return true;
    },
  };
}
