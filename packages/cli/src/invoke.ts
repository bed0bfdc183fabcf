import { readFileSync } from 'node:fs';
import {
  albEvent,
  fakeLambdaContext,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
} from '@lift/core/testing';
import { startLocalDynamoDB } from './environment.js';
import { loadService, ServiceError } from './service.js';

/** Event sources `lift invoke --source` can build. */
export const INVOKE_SOURCES = ['apigw-http', 'apigw-rest', 'function-url', 'alb'] as const;

/** Options of {@link invoke}. */
export interface InvokeOptions {
  readonly entry: string;
  /** A JSON file holding the event. */
  readonly eventFile?: string;
  /** Or a source to build the event for, with `method`, `path` and `body`. */
  readonly source?: (typeof INVOKE_SOURCES)[number];
  readonly method?: string;
  readonly path?: string;
  readonly body?: string;
  readonly timeoutMs?: number;
  readonly dataDir?: string;
  readonly dynamodbEndpoint?: string;
}

/** Runs the entry's handler once, with the same embedded DynamoDB as `lift dev`, and returns its result. */
export async function invoke(options: InvokeOptions): Promise<unknown> {
  let event: unknown;
  if (options.eventFile !== undefined) {
    try {
      event = JSON.parse(readFileSync(options.eventFile, 'utf8'));
    } catch (error) {
      throw new ServiceError(`Cannot read the event from ${options.eventFile}: ${(error as Error).message}`);
    }
  } else {
    const init = {
      method: options.method ?? 'GET',
      path: options.path ?? '/',
      ...(options.body === undefined
        ? {}
        : { body: options.body, headers: { 'content-type': 'application/json' } }),
    };
    const build = {
      'apigw-http': httpApiEvent,
      'apigw-rest': restApiEvent,
      'function-url': functionUrlEvent,
      alb: albEvent,
    }[options.source ?? 'apigw-http'];
    event = build(init);
  }
  process.env.LIFT_DEV = '1';
  // Local runs write no EMF metrics, as Powertools decides for POWERTOOLS_DEV; logs stay.
  process.env.POWERTOOLS_DEV ??= 'true';
  const dynamodb = await startLocalDynamoDB({
    ...(options.dynamodbEndpoint === undefined ? {} : { endpoint: options.dynamodbEndpoint }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  try {
    const service = await loadService(options.entry);
    await dynamodb.ensure(service.tables);
    // The handler's own output (log lines) goes to stderr, as `sam local invoke` does, so stdout
    // carries only the result and can be piped.
    const stdoutWrite = process.stdout.write;
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    try {
      return await service.handler(
        event,
        fakeLambdaContext({ timeoutMs: options.timeoutMs ?? 30_000, functionName: 'lift-invoke' }),
      );
    } finally {
      process.stdout.write = stdoutWrite;
    }
  } finally {
    await dynamodb.close();
  }
}
