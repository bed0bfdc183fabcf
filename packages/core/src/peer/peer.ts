import { ConfigurationError } from '../errors/errors.js';

/**
 * The optional packages Lift imports only when a feature that needs them is used, with the range
 * `@lift/core` is tested with (kept equal to its `peerDependencies` by a test).
 */
export const PEER_VERSIONS = {
  '@aws-sdk/client-dynamodb': '^3.1162.0',
  '@aws-sdk/lib-dynamodb': '^3.1162.0',
  '@aws-sdk/client-secrets-manager': '^3.1162.0',
  '@aws-sdk/client-ssm': '^3.1162.0',
  '@aws-sdk/client-sqs': '^3.1162.0',
  '@aws-sdk/client-s3': '^3.1162.0',
  '@aws-sdk/client-cognito-identity-provider': '^3.1162.0',
  '@aws-sdk/s3-presigned-post': '^3.1162.0',
  '@aws-sdk/s3-request-presigner': '^3.1162.0',
  '@aws-sdk/util-dynamodb': '^3.996.9',
  dynalite: '^4.0.0',
} as const;

/** A package {@link lazyPeer} can load. */
export type Peer = keyof typeof PEER_VERSIONS;

function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  // The package itself, not one of its own dependencies (whose message names the peer's path).
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    (message.startsWith(`Cannot find package '${name}'`) ||
      message.startsWith(`Cannot find module '${name}'`))
  );
}

/**
 * Loads an optional package on first use and keeps it. `load` is the literal `() => import('...')`,
 * so bundlers see the name and can leave it external. A missing package becomes one error naming
 * the feature and the exact `npm install` line; a failed load is not remembered, so installing the
 * package fixes a running process (a dev server) without a restart.
 */
export function lazyPeer<T>(name: Peer, load: () => Promise<T>, feature: string): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      if (!isMissing(error, name)) throw error;
      throw new ConfigurationError(
        `${feature} needs the package ${name}, which is not installed: npm install ${name}@${PEER_VERSIONS[name]}`,
      );
    });
    return loading;
  };
}

/**
 * Starts `start` now when running inside the Lambda runtime (which sets `AWS_LAMBDA_RUNTIME_API`),
 * so a client created at module scope loads its SDK during the init, as AWS advises for SDK clients:
 * the init runs with a burst of CPU, a request at the function's share of a vCPU (0.29 at 512 MB).
 * Elsewhere (tests, `lift dev`, a CDK synth importing the entry) nothing starts. A failure is left to
 * the first real use, which starts again and reports it.
 */
export function startDuringInit(start: () => Promise<unknown>): void {
  if (process.env.AWS_LAMBDA_RUNTIME_API === undefined) return;
  try {
    start().catch(() => {});
  } catch {
    // Nothing thrown here may stop the init; the first use meets it again.
  }
}
