import type { LambdaContext } from '../context/lambda.js';

/** Options of {@link fakeLambdaContext}. */
export interface FakeLambdaContextOptions {
  /** Function timeout in ms; remaining time counts down from it (default 30 000). */
  readonly timeoutMs?: number;
  readonly functionName?: string;
  readonly awsRequestId?: string;
  readonly memoryLimitInMB?: number;
  /** Clock in epoch ms (default `Date.now`), so tests can move time. */
  readonly now?: () => number;
}

/** A Lambda context whose remaining time really counts down, as in Lambda. */
export function fakeLambdaContext(options: FakeLambdaContextOptions = {}): LambdaContext {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 30_000);
  const functionName = options.functionName ?? 'lift-test';
  const region = 'us-east-1';
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: options.awsRequestId ?? globalThis.crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    callbackWaitsForEmptyEventLoop: true,
  };
}
