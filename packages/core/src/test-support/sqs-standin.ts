import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One call the stand-in received. */
export interface SqsCall {
  readonly action: string;
  readonly input: Record<string, unknown>;
}

/** A running stand-in. */
export interface SqsStandIn {
  readonly endpoint: string;
  readonly calls: SqsCall[];
  /** Makes the next calls answer with this AWS error (e.g. a throttle), or hang when `'hang'`. */
  failWith(error: { readonly type: string; readonly status: number } | 'hang' | undefined): void;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * A stand-in for SQS speaking its AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Action>`), as the
 * AWS SDK v3 client sends it, for the tests of what Lift calls. It records every call and answers
 * `ChangeMessageVisibilityBatch` with every entry successful. Limits: no queues or messages are
 * kept, no signature is checked, and other actions answer an empty object.
 */
export async function startSqsStandIn(): Promise<SqsStandIn> {
  const calls: SqsCall[] = [];
  let failure: { type: string; status: number } | 'hang' | undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : target;
      const input = await readJson(req);
      calls.push({ action, input });
      if (failure === 'hang') return;
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (failure !== undefined) {
        res
          .writeHead(failure.status)
          .end(JSON.stringify({ __type: `com.amazonaws.sqs#${failure.type}`, message: failure.type }));
        return;
      }
      if (action === 'ChangeMessageVisibilityBatch') {
        const entries = (input.Entries as { Id: string }[] | undefined) ?? [];
        res
          .writeHead(200)
          .end(JSON.stringify({ Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] }));
        return;
      }
      res.writeHead(200).end('{}');
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    failWith(next) {
      failure = next;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
