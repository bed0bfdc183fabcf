import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';

/** What {@link defineBucket} takes. */
export interface BucketSpec {
  /** The bucket name in development; deployments rename it through {@link BucketSpec.nameFromEnv}. */
  readonly name: string;
  /** An environment variable that, when set, holds the deployed bucket name (`BUCKET_NAME`). */
  readonly nameFromEnv?: string;
  /**
   * Origins browsers may upload from with presigned requests (CORS on the bucket). Default none:
   * mobile apps and servers need no CORS.
   */
  readonly corsOrigins?: readonly string[];
}

/** A bucket declared once in code: `lift dev` creates it locally, the CDK constructs deploy it. */
export interface BucketDefinition extends BucketSpec {
  readonly kind: 'lift:s3-bucket';
  /** The name to use now: the environment's deployed name if set, else the declared one. */
  bucketName(): string;
}

// S3's rules for new buckets: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Declares a bucket; the spec is checked now, so a mistake fails at module load. */
export function defineBucket(spec: BucketSpec): BucketDefinition {
  refuseUnknownOptions(spec, ['name', 'nameFromEnv', 'corsOrigins'], 'defineBucket');
  if (typeof spec.name !== 'string' || !BUCKET_NAME.test(spec.name) || spec.name.includes('..'))
    throw new ConfigurationError(
      `defineBucket: "${spec.name}" is not a valid bucket name (3-63 of a-z 0-9 . -, no "..")`,
    );
  if (spec.nameFromEnv !== undefined && !ENV_NAME.test(spec.nameFromEnv))
    throw new ConfigurationError(`defineBucket: nameFromEnv "${spec.nameFromEnv}" is not a variable name`);
  for (const origin of spec.corsOrigins ?? []) {
    if (typeof origin !== 'string' || !/^https?:\/\/[^/\s]+$/.test(origin))
      throw new ConfigurationError(`defineBucket: CORS origin "${origin}" must be scheme://host[:port]`);
  }
  const declared = { ...spec };
  return Object.freeze({
    ...declared,
    kind: 'lift:s3-bucket' as const,
    bucketName: () =>
      (spec.nameFromEnv === undefined ? undefined : process.env[spec.nameFromEnv]) || spec.name,
  });
}

/** Whether a value is a {@link BucketDefinition} (how `lift dev` finds a service's buckets). */
export function isBucketDefinition(value: unknown): value is BucketDefinition {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'lift:s3-bucket'
  );
}
