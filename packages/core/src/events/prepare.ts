import { parseJsonSafely } from '../body/json.js';
import { decodeUtf8 } from '../body/text.js';
import { BadRequestError, type FieldIssue, UnprocessableError } from '../errors/errors.js';
import { lazyPeer } from '../peer/peer.js';
import { type PartResult, type StandardSchemaV1, validatePart } from '../schema/validate.js';
import { base64, isObject, text } from './records.js';
import type { Target } from './resolve.js';
import type {
  AnyRecord,
  DynamoDBChange,
  EventBridgeEvent,
  KinesisRecord,
  RecordSource,
  SnsMessage,
  SqsMessage,
} from './types.js';

const utilDynamodb = lazyPeer(
  '@aws-sdk/util-dynamodb',
  () => import('@aws-sdk/util-dynamodb'),
  'app.dynamodbStream (unmarshalling stream images)',
);

async function check(
  schema: StandardSchemaV1 | undefined,
  where: string,
  value: unknown,
  issues: FieldIssue[],
): Promise<unknown> {
  if (schema === undefined) return value;
  const result: PartResult = await validatePart(schema, where, value);
  if (result.ok) return result.value;
  issues.push(...result.issues);
  return undefined;
}

function json(textValue: string, where: string): unknown {
  try {
    return parseJsonSafely(textValue);
  } catch (error) {
    throw new BadRequestError(`The ${where} is not valid JSON`, { cause: error });
  }
}

function refuse(issues: FieldIssue[], what: string): never {
  throw new UnprocessableError(issues, `The ${what} failed validation`);
}

// unmarshall assigns with `out[key] = value`: an attribute named __proto__ would become the image's
// prototype, and its fields would look like the item's own. Refused, as in JSON bodies.
function hasProtoKey(image: unknown): boolean {
  const stack: unknown[] = [image];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const v of value) if (isObject(v)) stack.push(v.M ?? v.L);
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        if (key === '__proto__') return true;
        const attr = value[key];
        if (isObject(attr)) stack.push(attr.M ?? attr.L);
      }
    }
  }
  return false;
}

// Lambda's JSON carries B and BS as base64 text, which unmarshall would hand over as strings: the
// bytes are decoded (strictly) first, at any depth, so a handler sees what was written.
function decodeBinary(value: unknown, what: string): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeBinary(v, what));
  if (!isObject(value)) return value;
  if (typeof value.B === 'string') return { B: base64(value.B, `${what} binary attribute`) };
  if (Array.isArray(value.BS))
    return { BS: value.BS.map((b) => (typeof b === 'string' ? base64(b, `${what} binary set`) : b)) };
  if (isObject(value.M)) return { M: decodeImage(value.M, what) };
  if (Array.isArray(value.L)) return { L: value.L.map((v) => decodeBinary(v, what)) };
  return value;
}

function decodeImage(image: Record<string, unknown>, what: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(image)) out[key] = decodeBinary(image[key], what);
  return out;
}

async function dynamodbChange(
  raw: Record<string, unknown>,
  table: string,
): Promise<DynamoDBChange<unknown, unknown>> {
  const what = 'DynamoDB Streams record';
  const ddb = isObject(raw.dynamodb) ? raw.dynamodb : {};
  const eventName = text(raw, 'eventName', what);
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE')
    throw new BadRequestError(`${what}: unknown eventName`);
  if (hasProtoKey(ddb.Keys) || hasProtoKey(ddb.NewImage) || hasProtoKey(ddb.OldImage))
    throw new BadRequestError(`${what}: an attribute named __proto__ is refused`);
  const { unmarshall } = await utilDynamodb();
  const image = (value: unknown) =>
    isObject(value) ? (unmarshall(decodeImage(value, what) as never) as Record<string, unknown>) : undefined;
  const identity = isObject(raw.userIdentity) ? raw.userIdentity : undefined;
  const created = ddb.ApproximateCreationDateTime;
  return {
    kind: 'dynamodb',
    eventId: text(raw, 'eventID', what),
    eventName,
    table,
    keys: image(ddb.Keys) ?? {},
    newImage: image(ddb.NewImage),
    oldImage: image(ddb.OldImage),
    sequenceNumber: text(ddb, 'SequenceNumber', what),
    approximateCreationTime: typeof created === 'number' ? new Date(created * 1000) : undefined,
    sizeBytes: typeof ddb.SizeBytes === 'number' ? ddb.SizeBytes : undefined,
    streamViewType: typeof ddb.StreamViewType === 'string' ? ddb.StreamViewType : undefined,
    expiredByTtl: identity?.type === 'Service' && identity.principalId === 'dynamodb.amazonaws.com',
  };
}

function kinesisWithData(record: KinesisRecord<string>, data: unknown): KinesisRecord<unknown> {
  const { eventId, stream, shardId, partitionKey, sequenceNumber, bytes, arrivedAt } = record;
  return { kind: 'kinesis', eventId, stream, shardId, partitionKey, sequenceNumber, data, bytes, arrivedAt };
}

/**
 * The record in its wire types, before the registration's schemas: stream images unmarshalled,
 * Kinesis data decoded on read. Record middleware sees it in this form. `SKIP` for a record the
 * registration's own filter leaves out (DynamoDB Streams `events`). A promise only for DynamoDB
 * Streams, whose codec loads lazily: the other sources cost no microtask.
 */
export function decodeRecord(target: Target): AnyRecord | typeof SKIP | Promise<AnyRecord> {
  const { registration, record } = target;
  if (registration.source === 'dynamodb') {
    const raw = record as unknown as Record<string, unknown>;
    const only = registration.options.events as readonly string[] | undefined;
    if (only !== undefined && !only.includes(raw.eventName as string)) return SKIP;
    return dynamodbChange(raw, target.name);
  }
  if (registration.source === 'kinesis') {
    const k = record as KinesisRecord<string>;
    // Decoded only when read, so a stream of binary data can use `bytes` alone.
    const out = kinesisWithData(k, undefined);
    let decoded: string | undefined;
    Object.defineProperty(out, 'data', {
      enumerable: true,
      get: () => {
        decoded ??= decodeUtf8(k.bytes);
        return decoded;
      },
    });
    return out;
  }
  return record;
}

function rebuilt(result: PartResult, what: string, rebuild: (output: unknown) => AnyRecord): AnyRecord {
  if (!result.ok) refuse(result.issues, what);
  return rebuild(result.value);
}

// One part checked against its schema, the record rebuilt around the output. Synchronous when the
// schema is (zod, valibot), so a batch of valid records costs no promise per record.
function checkedPart(
  schema: StandardSchemaV1,
  where: string,
  value: unknown,
  what: string,
  rebuild: (output: unknown) => AnyRecord,
): AnyRecord | Promise<AnyRecord> {
  const result = validatePart(schema, where, value);
  return result instanceof Promise
    ? result.then((r) => rebuilt(r, what, rebuild))
    : rebuilt(result, what, rebuild);
}

async function validatedChange(
  change: DynamoDBChange<unknown, unknown>,
  newSchema: StandardSchemaV1 | undefined,
  oldSchema: StandardSchemaV1 | undefined,
): Promise<AnyRecord> {
  const issues: FieldIssue[] = [];
  const newImage = await check(newSchema, 'newImage', change.newImage, issues);
  const oldImage = await check(oldSchema, 'oldImage', change.oldImage, issues);
  if (issues.length > 0) refuse(issues, 'stream record');
  return { ...change, newImage, oldImage };
}

/**
 * The record a registration's handler receives: bodies parsed as JSON and validated against the
 * registration's schemas. A body that is not JSON is a {@link BadRequestError}, one that fails its
 * schema an {@link UnprocessableError} with every issue; either fails the record (thrown, or the
 * promise rejected when a schema validates asynchronously).
 */
export function validateRecord(
  source: RecordSource,
  options: Readonly<Record<string, unknown>>,
  record: AnyRecord,
): AnyRecord | Promise<AnyRecord> {
  switch (source) {
    case 'sqs': {
      const schema = options.body as StandardSchemaV1 | undefined;
      if (schema === undefined) return record;
      const message = record as SqsMessage<string>;
      return checkedPart(schema, 'body', json(message.rawBody, 'message body'), 'message body', (body) => ({
        ...message,
        body,
      }));
    }
    case 'sns': {
      const schema = options.message as StandardSchemaV1 | undefined;
      if (schema === undefined) return record;
      const value = json((record as { rawMessage: string }).rawMessage, 'SNS message');
      return checkedPart(schema, 'message', value, 'SNS message', (message) => ({
        ...(record as SnsMessage<string>),
        message,
      }));
    }
    case 'eventbridge': {
      const schema = options.detail as StandardSchemaV1 | undefined;
      if (schema === undefined) return record;
      const event = record as EventBridgeEvent<unknown>;
      return checkedPart(schema, 'detail', event.detail, 'event detail', (detail) => ({ ...event, detail }));
    }
    case 'dynamodb': {
      const newSchema = options.newImage as StandardSchemaV1 | undefined;
      const oldSchema = options.oldImage as StandardSchemaV1 | undefined;
      if (newSchema === undefined && oldSchema === undefined) return record;
      return validatedChange(record as DynamoDBChange<unknown, unknown>, newSchema, oldSchema);
    }
    case 'kinesis': {
      const schema = options.data as StandardSchemaV1 | undefined;
      if (schema === undefined) return record;
      const k = record as KinesisRecord<string>;
      return checkedPart(schema, 'data', json(decodeUtf8(k.bytes), 'Kinesis data'), 'Kinesis data', (data) =>
        kinesisWithData(k, data),
      );
    }
    default:
      return record;
  }
}

/** A record a registration's filter leaves out: acknowledged without running the handler. */
export const SKIP = Symbol('skip');
