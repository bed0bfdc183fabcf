import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';

/** A key attribute: its name and DynamoDB scalar type. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A global secondary index. */
export interface GlobalIndex {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Which attributes the index holds (default `ALL`). */
  readonly projection?: 'ALL' | 'KEYS_ONLY' | { readonly include: readonly string[] };
}

/** What {@link defineTable} takes. */
export interface TableSpec {
  /** The table name in development; deployments may rename it through {@link TableSpec.nameFromEnv}. */
  readonly name: string;
  /** An environment variable that, when set, holds the deployed table name (set by the CDK construct). */
  readonly nameFromEnv?: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes?: readonly GlobalIndex[];
  /** Attribute holding an expiry in epoch seconds; DynamoDB TTL deletes lazily, so reads also skip expired items. */
  readonly ttlAttribute?: string;
  /** Stream view, if the table feeds a stream. */
  readonly stream?: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
}

/** A table declared once in code: used by the dev server (creates it) and the CDK constructs (deploy it). */
export interface TableDefinition extends TableSpec {
  readonly kind: 'lift:dynamodb-table';
  /** The name to use now: the environment's deployed name if set, else the declared one. */
  tableName(): string;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const ATTRIBUTE = /^[A-Za-z0-9_.-]{1,255}$/;
const KNOWN = new Set([
  'name',
  'nameFromEnv',
  'partitionKey',
  'sortKey',
  'globalIndexes',
  'ttlAttribute',
  'stream',
]);

function checkKey(where: string, key: KeyAttribute | undefined, required: boolean): void {
  if (key === undefined) {
    if (required) throw new ConfigurationError(`${where} is required`);
    return;
  }
  if (!ATTRIBUTE.test(key.name)) throw new ConfigurationError(`${where}.name is not a valid attribute name`);
  if (key.type !== 'S' && key.type !== 'N' && key.type !== 'B')
    throw new ConfigurationError(`${where}.type must be S, N or B`);
}

/** Declares a table; the spec is checked now, so a mistake fails at module load. */
export function defineTable(spec: TableSpec): TableDefinition {
  refuseUnknownOptions(spec, KNOWN, 'defineTable');
  if (!TABLE_NAME.test(spec.name)) {
    throw new ConfigurationError(
      `defineTable: "${spec.name}" is not a valid table name (3-255 of A-Z a-z 0-9 _ . -)`,
    );
  }
  checkKey(`${spec.name}.partitionKey`, spec.partitionKey, true);
  checkKey(`${spec.name}.sortKey`, spec.sortKey, false);
  const seen = new Set<string>();
  for (const index of spec.globalIndexes ?? []) {
    if (!TABLE_NAME.test(index.name) || seen.has(index.name)) {
      throw new ConfigurationError(`${spec.name}: index name "${index.name}" is invalid or repeated`);
    }
    seen.add(index.name);
    checkKey(`${spec.name}.${index.name}.partitionKey`, index.partitionKey, true);
    checkKey(`${spec.name}.${index.name}.sortKey`, index.sortKey, false);
  }
  if (spec.ttlAttribute !== undefined && !ATTRIBUTE.test(spec.ttlAttribute)) {
    throw new ConfigurationError(`${spec.name}.ttlAttribute is not a valid attribute name`);
  }
  const declared = { ...spec };
  return Object.freeze({
    ...declared,
    kind: 'lift:dynamodb-table' as const,
    tableName: () =>
      (spec.nameFromEnv === undefined ? undefined : process.env[spec.nameFromEnv]) || spec.name,
  });
}

/** Whether a value is a {@link TableDefinition} (how the dev server finds a service's tables). */
export function isTableDefinition(value: unknown): value is TableDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'lift:dynamodb-table'
  );
}

/** The `CreateTable` input for a definition (on-demand billing), as the DynamoDB API takes it. */
export function createTableInput(table: TableDefinition) {
  const attributes = new Map<string, string>();
  const keySchema = (pk: KeyAttribute, sk: KeyAttribute | undefined) => {
    attributes.set(pk.name, pk.type);
    if (sk !== undefined) attributes.set(sk.name, sk.type);
    return sk === undefined
      ? [{ AttributeName: pk.name, KeyType: 'HASH' as const }]
      : [
          { AttributeName: pk.name, KeyType: 'HASH' as const },
          { AttributeName: sk.name, KeyType: 'RANGE' as const },
        ];
  };
  const input = {
    TableName: table.tableName(),
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.globalIndexes !== undefined && table.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection:
              index.projection === undefined || index.projection === 'ALL'
                ? { ProjectionType: 'ALL' as const }
                : index.projection === 'KEYS_ONLY'
                  ? { ProjectionType: 'KEYS_ONLY' as const }
                  : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.include] },
          })),
        }
      : {}),
    ...(table.stream === undefined
      ? {}
      : { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } }),
  };
  return {
    ...input,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType: AttributeType as 'S' | 'N' | 'B',
    })),
  };
}
