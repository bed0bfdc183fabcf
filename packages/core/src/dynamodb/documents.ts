import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { refuseUnknownOptions } from '../errors/errors.js';
import { instrumentAwsClient } from '../otel/otel.js';
import { lazyPeer, startDuringInit } from '../peer/peer.js';
import { type AwsClientDefaultsOptions, awsClientDefaults } from '../resilience/aws.js';
import { abortReason, dependencyError } from '../resilience/faults.js';
import { callSignal } from '../resilience/scope.js';

/** Options of {@link createDocumentClient}. */
export interface DocumentClientOptions extends AwsClientDefaultsOptions {
  /**
   * Passed to `new DynamoDBClient(...)`: endpoint, region, credentials... Its own `requestHandler`
   * or `retryStrategy`, if set, replace Lift's.
   */
  readonly config?: DynamoDBClientConfig;
}

/** Lift's retries for DynamoDB: 3 attempts, waits from [0, 50) then [0, 100) ms, never past the deadline. */
const DYNAMODB_RETRY = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 500, minAttemptMs: 50 } as const;

/** @internal The DynamoDB client package, loaded on first use. */
export const dynamodbSdk: () => Promise<typeof import('@aws-sdk/client-dynamodb')> = lazyPeer(
  '@aws-sdk/client-dynamodb',
  () => import('@aws-sdk/client-dynamodb'),
  'DynamoDB',
);
/** @internal The document client package, loaded on first use. */
export const documentSdk: () => Promise<typeof import('@aws-sdk/lib-dynamodb')> = lazyPeer(
  '@aws-sdk/lib-dynamodb',
  () => import('@aws-sdk/lib-dynamodb'),
  'DynamoDB',
);

/**
 * A document client with Lift's settings: a 1 s connection timeout, a 2 s timeout per attempt (the
 * SDK's default is none, and DynamoDB's socket timeout is 5 minutes), deadline-bound full-jitter
 * retries ({@link deadlineRetryStrategy}), spans when OpenTelemetry is installed, and
 * `removeUndefinedValues`. The SDK is imported on first use.
 */
export async function createDocumentClient(
  options: DocumentClientOptions = {},
): Promise<DynamoDBDocumentClient> {
  refuseUnknownOptions(
    options,
    ['config', 'connectionTimeoutMs', 'requestTimeoutMs', 'retry'],
    'createDocumentClient',
  );
  const defaults = awsClientDefaults({
    ...(options.connectionTimeoutMs === undefined
      ? {}
      : { connectionTimeoutMs: options.connectionTimeoutMs }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    retry: { ...DYNAMODB_RETRY, ...options.retry },
  });
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([dynamodbSdk(), documentSdk()]);
  const client = new DynamoDBClient({ ...defaults, ...options.config });
  return DynamoDBDocumentClient.from(instrumentAwsClient(client), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

let shared: Promise<DynamoDBDocumentClient> | undefined;

/**
 * The process-wide document client ({@link createDocumentClient} with its defaults), created on
 * first use. Endpoint, region and credentials come from the standard environment
 * (`AWS_ENDPOINT_URL_DYNAMODB` points it at a local DynamoDB).
 */
export function sharedDocumentClient(): Promise<DynamoDBDocumentClient> {
  if (shared !== undefined) return shared;
  const starting = createDocumentClient();
  // A failed start (a missing package) is not kept: the next call tries again.
  starting.catch(() => {
    if (shared === starting) shared = undefined;
  });
  shared = starting;
  return starting;
}

/**
 * The client a table client or store uses: its own `client` when given, else the shared one, which
 * inside the Lambda runtime starts now, so a store created at module scope loads the SDK during the
 * init ({@link startDuringInit}).
 */
export function documentsFor<T>(client: T | undefined): () => Promise<T | DynamoDBDocumentClient> {
  if (client !== undefined) return () => Promise.resolve(client);
  startDuringInit(sharedDocumentClient);
  return sharedDocumentClient;
}

/** Per-call options every table client method takes. */
export interface CallOptions {
  /**
   * Aborts the call; its attempts stop and their connections close. Default: the current request's
   * signal (see `withRequestScope` in `@lift/core/resilience`), so calls made while serving a request
   * end at its deadline without passing anything.
   */
  readonly signal?: AbortSignal | undefined;
}

/** Settles with `pending`, or rejects with the abort reason as soon as `signal` aborts. */
function raceAbort<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([pending, aborted]).finally(() =>
    signal.removeEventListener('abort', onAbort as () => void),
  );
}

/**
 * Runs one SDK call with the call's signal (given, else the request's) and answers faults as
 * `@lift/core/resilience` maps them: throttling a 503 `DEPENDENCY_THROTTLED`, 5xx and network
 * errors a 503 `DEPENDENCY_UNAVAILABLE` (both `Retry-After: 1`), timeouts a 504
 * `DEPENDENCY_TIMEOUT`, the request's deadline its abort reason. Other errors pass through.
 * `send` gets the options for `client.send(command, options)`.
 */
export async function callDynamoDB<T>(
  options: CallOptions | undefined,
  send: (http: { abortSignal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  const signal = callSignal(options?.signal);
  try {
    if (signal === undefined) return await send({});
    if (signal.aborted) throw abortReason(signal);
    // The SDK stops on the signal itself; the race also covers a custom client or handler that does not.
    return await raceAbort(send({ abortSignal: signal }), signal);
  } catch (error) {
    throw dependencyError(error, 'dynamodb', { signal });
  }
}
