import type { IncomingMessage, ServerResponse } from 'node:http';

/** Under this prefix every path is the dev server's own; an app route there is refused at load. */
export const DEV_PREFIX = '/_lift';

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;
const LOOPBACK_ADDRESS = /^(127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/;

/** Writes a JSON answer that no cache keeps and no browser sniffs. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    .end(JSON.stringify(body));
}

/**
 * Why a browser page on another site may not make this request, or undefined: an `Origin` other than
 * the server's own, or `Sec-Fetch-Site: cross-site`. Requests from tools (curl) carry neither.
 */
export function crossSite(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)
    return `cross-origin request from ${origin} refused`;
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site request refused';
  return undefined;
}

/**
 * Why a dev server route that reads local data or acts (mail, schedules, the dashboard) refuses this
 * request, or undefined: the peer must be a loopback address (the server may be bound wider with
 * --host), the Host a loopback name (a DNS-rebinding page reaches loopback under its own name, and
 * its Origin then matches that Host), and a browser's request must come from the server's own origin.
 * Tools such as curl on this machine pass.
 */
export function notLocal(req: IncomingMessage): string | undefined {
  const peer = req.socket.remoteAddress ?? '';
  if (!LOOPBACK_ADDRESS.test(peer)) return 'the dev server answers this machine only here (loopback clients)';
  const host = req.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host))
    return `the dev server answers this on localhost or 127.0.0.1, not on "${host}"`;
  return crossSite(req);
}

/**
 * Why the dashboard refuses this request, or undefined when it may go on. The dashboard reads local
 * data and mints tokens the service trusts, so only this machine's browser, on this origin, may use it
 * ({@link notLocal}). Changes also need a JSON body, which no cross-origin form can send without a
 * preflight this server never grants.
 */
export function refusal(req: IncomingMessage): string | undefined {
  const foreign = notLocal(req);
  if (foreign !== undefined) return foreign;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return `${req.method} needs content-type: application/json`;
  }
  return undefined;
}

/** Reads a small JSON body (at most 64 KiB); undefined when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 65_536) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a route pattern lies under the dev server's own prefix, where it could never be reached. */
export function isReservedPattern(pattern: string): boolean {
  return pattern === DEV_PREFIX || pattern.startsWith(`${DEV_PREFIX}/`);
}
