/**
 * The dev server's socket plumbing: listening with errors a person can act on, closing, the loopback
 * address the service reaches it on, and API Gateway's 413 for bodies that are too large.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DevServerError } from './errors.js';

/** A client that sends its headers slower than this is cut off (Node's default is 60 s). */
export const HEADERS_TIMEOUT_MS = 5_000;
/** The whole request, body included, must have arrived within this; the handler's time is not counted. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Listens on `host:port` (0 picks a free port), with errors that say what to change. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new DevServerError(`Port ${port} is already in use; stop the other server or pass --port`)
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? new DevServerError(`Cannot listen on ${host}: no such address on this machine; check --host`)
            : error,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Closes the server and every open connection. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

/** The address the service reaches the dev server on, for the key-set URL. */
export function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Answers 413 as API Gateway does, without reading the body. What the client still sends is read and
 * dropped, not kept: closing with unread data would reset the connection, and the client would see
 * the reset instead of the 413. A client still sending after 2 s is cut off.
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  const body = '{"message":"Request Entity Too Large"}';
  res.writeHead(413, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  req.resume();
  const cut = setTimeout(() => req.socket.destroy(), 2_000);
  req.once('end', () => clearTimeout(cut));
  req.socket.once('close', () => clearTimeout(cut));
}
