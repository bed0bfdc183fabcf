import type { TableDefinition } from '@lift/core/dynamodb';
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DeclaredBucket } from './declarations.js';
import type { LiftFunction } from './function.js';
import type { StageSettings } from './stage.js';

const TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;

/**
 * What a function may do with a table or a bucket. `readWithRateLimits` (tables): read, and write only
 * the rate-limit windows Lift keeps in the table (items whose partition key starts `RATELIMIT#`).
 */
export type DataAccess = 'read' | 'readWrite' | 'readWithRateLimits';

const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** Options of {@link LiftTable}. */
export interface LiftTableProps {
  readonly definition: TableDefinition;
  readonly stage: StageSettings;
  /** Turn the table's stream on (the app consumes it with `app.dynamodbStream`). */
  readonly stream?: boolean;
}

/**
 * A table from its `defineTable` declaration: the declared keys, indexes and TTL, on-demand billing,
 * encrypted with a customer-managed KMS key (rotated yearly), point-in-time recovery and deletion
 * protection as the stage says.
 */
export class LiftTable extends Construct {
  readonly table: TableV2;
  readonly key: Key;
  readonly definition: TableDefinition;

  constructor(scope: Construct, id: string, props: LiftTableProps) {
    super(scope, id);
    const { definition: d, stage } = props;
    if (d.nameFromEnv === undefined)
      throw new Error(
        `LiftTable ${d.name}: declare nameFromEnv (defineTable({ nameFromEnv: 'TABLE_NAME' })) so the deployed name reaches the functions`,
      );
    this.definition = d;
    if (Token.isUnresolved(Stack.of(this).region))
      throw new Error(
        `LiftTable ${d.name}: put it in a stack with an explicit region (new Stack(app, id, { env: { region } }))`,
      );
    this.key = new Key(this, 'Key', {
      description: `${d.name} (${stage.name}) table encryption`,
      enableKeyRotation: true,
      removalPolicy: stage.removalPolicy,
    });
    const view = d.stream ?? (props.stream === true ? 'NEW_AND_OLD_IMAGES' : undefined);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: d.partitionKey.name, type: TYPES[d.partitionKey.type] },
      ...(d.sortKey === undefined ? {} : { sortKey: { name: d.sortKey.name, type: TYPES[d.sortKey.type] } }),
      globalSecondaryIndexes: (d.globalIndexes ?? []).map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey.name, type: TYPES[index.partitionKey.type] },
        ...(index.sortKey === undefined
          ? {}
          : { sortKey: { name: index.sortKey.name, type: TYPES[index.sortKey.type] } }),
      })),
      ...(d.ttlAttribute === undefined ? {} : { timeToLiveAttribute: d.ttlAttribute }),
      ...(view === undefined ? {} : { dynamoStream: StreamViewType[view] }),
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: stage.pointInTimeRecovery },
      deletionProtection: stage.production,
      removalPolicy: stage.removalPolicy,
    });
  }

  /** The environment variable and value a function finds the table by. */
  get environment(): Record<string, string> {
    return { [this.definition.nameFromEnv as string]: this.table.tableName };
  }

  /**
   * Lets a function read (or read and write) the table and its indexes, and use the table's key
   * through DynamoDB only (`kms:ViaService`): the key cannot be used directly.
   */
  grant(fn: LiftFunction, access: DataAccess): void {
    const indexes = (this.definition.globalIndexes ?? []).map(
      (i) => `${this.table.tableArn}/index/${i.name}`,
    );
    const resources = [this.table.tableArn, ...indexes];
    fn.allow(access === 'readWrite' ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ, resources);
    if (access === 'readWithRateLimits')
      fn.allow(['dynamodb:UpdateItem'], [this.table.tableArn], {
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATELIMIT#*'] } },
      });
    fn.allow(access === 'read' ? KEY_READ : [...KEY_READ, ...KEY_WRITE], [this.key.keyArn], {
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
    });
  }
}

/** Options of {@link LiftBucket}. */
export interface LiftBucketProps {
  readonly definition: DeclaredBucket;
  readonly stage: StageSettings;
}

/**
 * A bucket from its `defineBucket` declaration: public access blocked, SSE-S3 encryption, TLS enforced,
 * versioning as the stage says, objects (and old versions) deleted after the stage's expiry, CORS for
 * presigned uploads from the declared origins only.
 */
export class LiftBucket extends Construct {
  readonly bucket: Bucket;
  readonly definition: DeclaredBucket;

  constructor(scope: Construct, id: string, props: LiftBucketProps) {
    super(scope, id);
    const { definition: d, stage } = props;
    if (d.nameFromEnv === undefined)
      throw new Error(
        `LiftBucket ${d.name}: declare nameFromEnv (defineBucket({ nameFromEnv: 'BUCKET_NAME' })) so the deployed name reaches the functions`,
      );
    this.definition = d;
    const origins = d.corsOrigins ?? [];
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: stage.bucketVersioning,
      removalPolicy: stage.removalPolicy,
      lifecycleRules: [
        {
          id: 'expire-objects',
          expiration: stage.objectExpiry,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          ...(stage.bucketVersioning ? { noncurrentVersionExpiration: Duration.days(30) } : {}),
        },
      ],
      ...(origins.length === 0
        ? {}
        : {
            cors: [
              {
                allowedOrigins: [...origins],
                allowedMethods: [HttpMethods.POST, HttpMethods.PUT, HttpMethods.GET],
                allowedHeaders: ['*'],
                maxAge: 600,
              },
            ],
          }),
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Object access is recorded by CloudTrail data events where the account wants it; server access logs would need a second bucket per service.',
    });
  }

  /** The environment variable and value a function finds the bucket by. */
  get environment(): Record<string, string> {
    return { [this.definition.nameFromEnv as string]: this.bucket.bucketName };
  }

  /**
   * Lets a function read objects, or read, write (presigned uploads are signed with its role) and
   * delete them.
   */
  grant(fn: LiftFunction, access: DataAccess): void {
    const objects = this.bucket.arnForObjects('*');
    fn.allow(
      access === 'readWrite' ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] : ['s3:GetObject'],
      [objects],
      {
        wildcardReason: `Objects of the ${this.definition.name} bucket only: their keys are made at run time (uploads, exports), so the grant names the bucket's key space.`,
      },
    );
  }
}
