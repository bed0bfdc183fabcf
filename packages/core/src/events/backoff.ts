import type { LoggerLike } from '../context/logger-like.js';
import { loggableError } from '../errors/report.js';
import { lazyPeer } from '../peer/peer.js';
import { arnParts } from './names.js';
import type { BackoffOptions } from './registry.js';
import type { SqsMessage } from './types.js';

const sqsSdk = lazyPeer('@aws-sdk/client-sqs', () => import('@aws-sdk/client-sqs'), 'SQS visibility backoff');

type SqsClient = InstanceType<Awaited<ReturnType<typeof sqsSdk>>['SQSClient']>;
let client: Promise<SqsClient> | undefined;

function sharedClient(): Promise<SqsClient> {
  if (client !== undefined) return client;
  // The queue URL is built from the ARN; the client sends it to its own endpoint (the region's, or
  // AWS_ENDPOINT_URL_SQS), never to a host taken from the URL.
  const starting = sqsSdk().then(({ SQSClient }) => new SQSClient({ useQueueUrlAsEndpoint: false }));
  starting.catch(() => {
    if (client === starting) client = undefined;
  });
  client = starting;
  return starting;
}

/**
 * The visibility timeout for a message that failed on its `receiveCount`-th receive: doubling from
 * `baseSeconds`, capped at `maxSeconds`, with equal jitter (half fixed, half random) so messages that
 * failed together do not all come back together.
 */
export function backoffSeconds(
  receiveCount: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = options.baseSeconds ?? 10;
  const max = options.maxSeconds ?? 900;
  const exponent = Math.min(Math.max(receiveCount - 1, 0), 30);
  const ceiling = Math.min(max, base * 2 ** exponent);
  return Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}

/** The URL of a queue, from its ARN (the SDK sends it to whatever endpoint it is configured with). */
export function queueUrl(queueArn: string, queue: string): string | undefined {
  const parts = arnParts(queueArn);
  if (parts === undefined) return undefined;
  const domain = parts.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${parts.region}.${domain}/${parts.account}/${queue}`;
}

/**
 * Makes failed messages visible again after their backoff, one `ChangeMessageVisibilityBatch` per
 * ten messages of a queue. Bounded by `timeoutMs`; a failure is logged and changes nothing else: the
 * messages were reported failed and come back after the queue's own visibility timeout.
 */
export async function applyBackoff(
  failed: readonly { readonly message: SqsMessage<string>; readonly options: BackoffOptions }[],
  timeoutMs: number,
  log: LoggerLike | undefined,
): Promise<void> {
  if (failed.length === 0 || timeoutMs <= 0) return;
  const byQueue = new Map<string, { message: SqsMessage<string>; options: BackoffOptions }[]>();
  for (const entry of failed) {
    if (entry.message.receiptHandle === '') continue;
    const list = byQueue.get(entry.message.queueArn) ?? [];
    list.push(entry);
    byQueue.set(entry.message.queueArn, list);
  }
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const [sqs, { ChangeMessageVisibilityBatchCommand }] = await Promise.all([sharedClient(), sqsSdk()]);
    const calls: Promise<unknown>[] = [];
    for (const [arn, entries] of byQueue) {
      const url = queueUrl(arn, entries[0]?.message.queue ?? '');
      if (url === undefined) continue;
      for (let i = 0; i < entries.length; i += 10) {
        const batch = entries.slice(i, i + 10);
        calls.push(
          sqs
            .send(
              new ChangeMessageVisibilityBatchCommand({
                QueueUrl: url,
                Entries: batch.map((e, n) => ({
                  Id: String(n),
                  ReceiptHandle: e.message.receiptHandle,
                  VisibilityTimeout: backoffSeconds(e.message.receiveCount, e.options),
                })),
              }),
              { abortSignal: signal },
            )
            .then((out) => {
              if ((out.Failed?.length ?? 0) > 0)
                log?.warn('Visibility backoff refused for some messages', {
                  queue: entries[0]?.message.queue,
                  failed: out.Failed?.length,
                });
            }),
        );
      }
    }
    await Promise.all(calls);
  } catch (error) {
    log?.warn('Visibility backoff failed; the queue visibility timeout applies', loggableError(error));
  }
}
