/**
 * A DynamoDB endpoint that misbehaves on purpose, for the fault tests of Lift's own AWS calls. It
 * speaks DynamoDB's JSON protocol (`application/x-amz-json-1.0`, `X-Amz-Target:
 * DynamoDB_20120810.<Action>`, errors as `{"__type": "com.amazonaws.dynamodb.v20120810#<Name>"}`) so
 * the real `@aws-sdk/client-dynamodb` parses its answers as it would DynamoDB's. It keeps no data:
 * a healthy answer is `{}` (GetItem finds nothing, PutItem succeeds).
 *
 * It records every request it receives and when its exchange ended (answered, or the client closed
 * the connection), so a test can check that no request outlives the call that made it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How the stand-in answers. */
export type DynamoDBFault =
  /** `200 {}`. */
  | { readonly kind: 'ok' }
  /** Accepts the request and never answers (until the client gives up or the server closes). */
  | { readonly kind: 'hang' }
  /** Answers after `ms` with `200 {}`. */
  | { readonly kind: 'slow'; readonly ms: number }
  /** Reads the request, then drops the connection without an answer (ECONNRESET). */
  | { readonly kind: 'reset' }
  /**
   * An AWS error: `status` with the JSON body DynamoDB sends for the error `type`, after `delayMs`
   * (default at once).
   */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly type: string;
      readonly delayMs?: number;
      readonly headers?: Readonly<Record<string, string>>;
    };

/** An AWS error answer. */
export type DynamoDBErrorFault = Extract<DynamoDBFault, { readonly kind: 'error' }>;

/** 400 `ThrottlingException`, as DynamoDB answers a control-plane or on-demand throttle. */
export const THROTTLING: DynamoDBErrorFault = { kind: 'error', status: 400, type: 'ThrottlingException' };
/** 400 `ProvisionedThroughputExceededException`, as DynamoDB answers a table over its capacity. */
export const THROUGHPUT_EXCEEDED: DynamoDBErrorFault = {
  kind: 'error',
  status: 400,
  type: 'ProvisionedThroughputExceededException',
};
/** 500 `InternalServerError`. */
export const INTERNAL_ERROR: DynamoDBErrorFault = { kind: 'error', status: 500, type: 'InternalServerError' };

/** One request the stand-in received. */
export interface FaultRequest {
  /** `GetItem`, `PutItem`... */
  readonly action: string;
  /** When it arrived (`performance.now()`). */
  readonly receivedAt: number;
  /** When the exchange ended: answered, or the connection closed; `undefined` while open. */
  endedAt: number | undefined;
  /** Whether an answer was written in full (false for a request the client abandoned). */
  answered: boolean;
}

/** A running stand-in. */
export interface DynamoDBFaultServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: readonly FaultRequest[];
  /** Changes how the next requests are answered. */
  answer(fault: DynamoDBFault): void;
  /** Requests whose exchange has not ended. */
  openRequests(): number;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.0';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': 'FAULTSTANDIN0000000000000000000000000000000000000000',
    ...headers,
  });
  res.end(text);
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // The body is not needed; it is read so the exchange proceeds as it would with DynamoDB.
  }
}

/** Starts the stand-in on 127.0.0.1 with a free port, answering `fault` (default `ok`). */
export async function startDynamoDBFaultServer(
  fault: DynamoDBFault = { kind: 'ok' },
): Promise<DynamoDBFaultServer> {
  let current = fault;
  const requests: FaultRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server: Server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const record: FaultRequest = {
      action: target.slice(target.indexOf('.') + 1),
      receivedAt: performance.now(),
      endedAt: undefined,
      answered: false,
    };
    requests.push(record);
    // 'close' fires once the answer is written or the connection is gone, whichever comes first.
    res.on('close', () => {
      record.endedAt = performance.now();
      record.answered = res.writableFinished;
    });
    const answering = current;
    const later = (ms: number, answer: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        // The client may have given up meanwhile; then there is nobody to answer.
        if (!res.destroyed) answer();
      }, ms);
      timers.add(timer);
    };
    void drain(req).then(
      () => {
        if (answering.kind === 'hang') return;
        if (answering.kind === 'reset') return req.socket.destroy();
        if (answering.kind === 'ok') return send(res, 200, {});
        if (answering.kind === 'slow') return later(answering.ms, () => send(res, 200, {}));
        const body = {
          __type: `com.amazonaws.dynamodb.v20120810#${answering.type}`,
          message: answering.type,
        };
        later(answering.delayMs ?? 0, () => send(res, answering.status, body, { ...answering.headers }));
      },
      () => undefined,
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      current = next;
    },
    openRequests: () => requests.filter((r) => r.endedAt === undefined).length,
    close: () =>
      new Promise<void>((done) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/**
 * An endpoint nothing listens on: a port that was free a moment ago, so connecting to it is
 * refused (ECONNREFUSED), as a DynamoDB endpoint that is down.
 */
export async function closedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}`;
}
