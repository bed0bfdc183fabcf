import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Where a stage's API answers in production: a domain with an ACM certificate in the stack's region. */
export interface StageDomain {
  readonly name: string;
  readonly certificateArn: string;
}

/** What differs between stages, spelled out so no difference is implicit. */
export interface StageSettings {
  /** `dev`, `prod`, or a name of your own (used in resource names and the `stage` cost tag). */
  readonly name: string;
  /** Production: data is retained on stack deletion and protected from deletion. */
  readonly production: boolean;
  readonly logRetention: RetentionDays;
  /** DynamoDB point-in-time recovery. */
  readonly pointInTimeRecovery: boolean;
  /** S3 object versioning (recovers overwritten and deleted photos). */
  readonly bucketVersioning: boolean;
  /** Alarms to the alarm topic. */
  readonly alarms: boolean;
  /** What happens to tables, buckets, keys and user pools when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** The API's custom domain (prod only, by default none). */
  readonly domain?: StageDomain;
  /** The stage's API throttling: steady requests per second and burst. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Region (default `us-east-1`) and account (default the CLI's) the stacks deploy to. */
  readonly region: string;
  readonly account?: string;
  /** Tags on every resource (cost allocation): `service` and `stage` are always added. */
  readonly tags: Readonly<Record<string, string>>;
  /** How long an object stays in a bucket before the lifecycle rule deletes it. */
  readonly objectExpiry: Duration;
}

/** Overrides of a stage's defaults. */
export type StageOverrides = Partial<Omit<StageSettings, 'name'>>;

/**
 * The settings of a stage: `dev` (14-day logs, no PITR, no versioning, no alarms, resources destroyed
 * with the stack) or `prod` (30-day logs, PITR, versioning, alarms, retained); any other name must say
 * whether it is production and starts from those settings. Every field can be overridden.
 */
export function stageSettings(name: string, overrides: StageOverrides = {}): StageSettings {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(name))
    throw new Error(
      `stageSettings: "${name}" is not a stage name (lower-case letters, digits and -, up to 20)`,
    );
  // Whether a stage is production is never guessed from a name such as "production" or "live".
  if (name !== 'dev' && name !== 'prod' && overrides.production === undefined)
    throw new Error(
      `stageSettings: say whether stage "${name}" is production: stageSettings('${name}', { production: true | false })`,
    );
  const production = overrides.production ?? name === 'prod';
  const base: StageSettings = {
    name,
    production,
    logRetention: production ? RetentionDays.ONE_MONTH : RetentionDays.TWO_WEEKS,
    pointInTimeRecovery: production,
    bucketVersioning: production,
    alarms: production,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    throttle: { rateLimit: 1000, burstLimit: 2000 },
    region: 'us-east-1',
    tags: {},
    objectExpiry: Duration.days(365),
  };
  return { ...base, ...overrides, name, production };
}
