/**
 * Serves a Lift app over real HTTP on loopback, as API Gateway's HTTP API would call it: each
 * request becomes a v2 event built by the test kit, the handler's result is written back.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpApiEvent } from '../testing/events.js';

interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A running server: its base URL, the requests it saw (method and URL) and a way to stop it. */
export interface ServedApp {
  readonly url: string;
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/** Starts a loopback server in front of `handler` (an app's `handler`). */
export async function serveApp(handler: (event: unknown) => Promise<unknown>): Promise<ServedApp> {
  const seen: ServedApp['seen'] = [];
  const server = createServer(async (req, res) => {
    try {
      seen.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
      const body = await readAll(req);
      const headers: Record<string, string[]> = {};
      for (const [name, values] of Object.entries(req.headersDistinct))
        if (values !== undefined) headers[name] = values;
      const event = httpApiEvent({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers,
        ...(body.length === 0 ? {} : { body: body.toString('utf8') }),
      });
      const result = (await handler(event)) as ProxyResult;
      res.statusCode = result.statusCode;
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.cookies !== undefined && result.cookies.length > 0)
        res.setHeader('set-cookie', result.cookies);
      const text = result.body ?? '';
      res.end(result.isBase64Encoded === true ? Buffer.from(text, 'base64') : text);
    } catch (error) {
      res.statusCode = 502;
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
