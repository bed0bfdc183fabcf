/**
 * The stand-in's HTTP face: Cognito's JSON 1.1 protocol on `POST /` for the AWS SDK, and each pool's
 * key set and OpenID configuration on `GET /<poolId>/.well-known/...` for token verifiers.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Operation } from './operations.js';
import { CognitoError, headerSafe, type RequestBody } from './wire.js';

/** What the server answers. */
export interface Routes {
  readonly operations: ReadonlyMap<string, Operation>;
  /** The `jwks.json` or `openid-configuration` of a pool, or undefined for an unknown pool. */
  readonly wellKnown: (poolId: string, document: string) => object | undefined;
  /** Where a failure of the stand-in itself is reported (the client gets a 500). */
  readonly log: (line: string) => void;
}

/** A listening server. */
export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const JSON_1_1 = 'application/x-amz-json-1.1';
/** Cognito requests are a few kilobytes; a megabyte is room enough and bounds what a bad client costs. */
const MAX_BODY_BYTES = 1024 * 1024;
const WELL_KNOWN = /^\/([^/]+)\/\.well-known\/(jwks\.json|openid-configuration)$/;
const ROUTES_HELP =
  'the Cognito stand-in answers POST / (the user pools API) and GET /<poolId>/.well-known/jwks.json or openid-configuration';

/** Starts listening on 127.0.0.1 (loopback only: it hands out tokens to whoever asks). */
export async function listen(routes: Routes, port: number): Promise<Listening> {
  const server = createServer((req, res) => {
    handle(routes, req, res).catch((error: unknown) => {
      routes.log(`cognito stand-in: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) {
        sendError(res, new CognitoError('InternalErrorException', 'The Cognito stand-in failed', 500));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        // The SDK keeps connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume();
    const match = WELL_KNOWN.exec(path);
    const poolId = match?.[1];
    const document = match?.[2];
    const found =
      poolId === undefined || document === undefined ? undefined : wellKnown(routes, poolId, document);
    if (found === undefined) {
      send(res, 404, 'application/json', { message: `Not found: ${ROUTES_HELP}` });
    } else {
      send(res, 200, 'application/json', found);
    }
    return;
  }
  if (req.method !== 'POST' || path !== '/') {
    req.resume();
    sendError(
      res,
      new CognitoError('UnknownOperationException', `${req.method} ${path}: ${ROUTES_HELP}`, 404),
    );
    return;
  }
  try {
    const text = await readBody(req);
    const operation = operationOf(routes, req.headers['x-amz-target']);
    const result = await operation(parseBody(text));
    send(res, 200, JSON_1_1, result);
  } catch (error) {
    if (!(error instanceof CognitoError)) throw error;
    sendError(res, error);
  }
}

function wellKnown(routes: Routes, poolId: string, document: string): object | undefined {
  try {
    return routes.wellKnown(decodeURIComponent(poolId), document);
  } catch {
    return undefined; // a malformed %-escape names no pool
  }
}

/** The operation `X-Amz-Target` names, or Cognito's error for one it does not have. */
function operationOf(routes: Routes, target: string | string[] | undefined): Operation {
  const value = Array.isArray(target) ? target[0] : target;
  if (value === undefined || !value.startsWith(TARGET_PREFIX)) {
    throw new CognitoError(
      'UnknownOperationException',
      `X-Amz-Target must be ${TARGET_PREFIX}<Operation>, got ${value === undefined ? 'none' : `"${value}"`}`,
    );
  }
  const name = value.slice(TARGET_PREFIX.length);
  const operation = routes.operations.get(name);
  if (operation === undefined) {
    throw new CognitoError(
      'UnknownOperationException',
      `The Lift Cognito stand-in does not implement ${name}; it implements ${[...routes.operations.keys()].join(', ')}`,
    );
  }
  return operation;
}

/** The body as text, refused past {@link MAX_BODY_BYTES} (the rest is not read). */
async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(): CognitoError {
  return new CognitoError('SerializationException', `The request body is over ${MAX_BODY_BYTES} bytes`, 413);
}

/** The input structure; malformed JSON is the protocol's `SerializationException`, not a crash. */
function parseBody(text: string): RequestBody {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CognitoError(
      'SerializationException',
      `The request body is not JSON: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CognitoError('SerializationException', 'The request body must be a JSON object');
  }
  return parsed as RequestBody;
}

/**
 * Cognito's error answer: the code in the body's `__type` and in `x-amzn-ErrorType` (followed by a
 * colon, as Cognito writes it; the SDK reads either), the message in the body and in
 * `x-amzn-ErrorMessage`.
 */
function sendError(res: ServerResponse, error: CognitoError): void {
  res.setHeader('x-amzn-ErrorType', `${error.code}:`);
  res.setHeader('x-amzn-ErrorMessage', headerSafe(error.message));
  send(res, error.status, JSON_1_1, { __type: error.code, message: error.message });
}

function send(res: ServerResponse, status: number, contentType: string, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}
