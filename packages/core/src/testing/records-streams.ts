/**
 * The stream sources of `@lift/core/testing`'s record factories: DynamoDB Streams and Kinesis, in the
 * shapes AWS sends (see records.ts).
 */
import { lazyPeer } from '../peer/peer.js';
import { asText, hex, type RecordsEvent, type ResourceOptions, sequence, where } from './records.js';

/** One DynamoDB Streams change, items as plain values (marshalled for you). */
export interface DynamoDBChangeInit {
  /** Default: `MODIFY` with both images, `INSERT` with a new image only, `REMOVE` with an old one only. */
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The item's key (default: the `keyAttributes` of the image, else none). */
  readonly keys?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
  readonly oldImage?: Readonly<Record<string, unknown>>;
  /** A deletion by DynamoDB's time to live (a `REMOVE` by the service itself). */
  readonly expiredByTtl?: boolean;
  readonly time?: Date;
}

/** Options of {@link dynamodbStreamEvent}. */
export interface DynamoDBStreamEventOptions extends ResourceOptions {
  readonly table: string;
  /** The stream's view (default `NEW_AND_OLD_IMAGES`): the images it leaves out are not sent. */
  readonly streamViewType?: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY';
  /** The table's key attributes, picked from the image for `Keys` when a change gives none. */
  readonly keyAttributes?: readonly string[];
}

const utilDynamodb = lazyPeer(
  '@aws-sdk/util-dynamodb',
  () => import('@aws-sdk/util-dynamodb'),
  'dynamodbStreamEvent (marshalling images)',
);

/**
 * A DynamoDB Streams event for a table, images marshalled with `@aws-sdk/util-dynamodb` (loaded on
 * the first call, hence async).
 */
export async function dynamodbStreamEvent(
  changes: readonly DynamoDBChangeInit[],
  options: DynamoDBStreamEventOptions,
): Promise<RecordsEvent> {
  const { marshall } = await utilDynamodb();
  const image = (item: Readonly<Record<string, unknown>>) =>
    marshall(item as Record<string, unknown>, { removeUndefinedValues: true }) as Record<string, unknown>;
  const { region, account } = where(options);
  const view = options.streamViewType ?? 'NEW_AND_OLD_IMAGES';
  const arn = `arn:aws:dynamodb:${region}:${account}:table/${options.table}/stream/2026-01-01T00:00:00.000`;
  return {
    Records: changes.map((change) => {
      const { newImage, oldImage } = change;
      const eventName =
        change.eventName ??
        (newImage !== undefined ? (oldImage !== undefined ? 'MODIFY' : 'INSERT') : oldImage && 'REMOVE');
      if (eventName === undefined)
        throw new TypeError('dynamodbStreamEvent: a change needs an eventName, a newImage or an oldImage');
      const item = newImage ?? oldImage ?? {};
      const keys =
        change.keys ??
        Object.fromEntries((options.keyAttributes ?? []).filter((k) => k in item).map((k) => [k, item[k]]));
      const dynamodb = {
        ApproximateCreationDateTime: Math.floor((change.time ?? new Date()).getTime() / 1000),
        Keys: image(keys),
        ...(newImage !== undefined && view.startsWith('NEW') ? { NewImage: image(newImage) } : {}),
        ...(oldImage !== undefined && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')
          ? { OldImage: image(oldImage) }
          : {}),
        SequenceNumber: sequence(25),
        SizeBytes: 0,
        StreamViewType: view,
      };
      dynamodb.SizeBytes = Buffer.byteLength(JSON.stringify(dynamodb));
      return {
        eventID: hex(16),
        eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: region,
        ...(change.expiredByTtl === true
          ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }
          : {}),
        dynamodb,
        eventSourceARN: arn,
      };
    }),
  };
}

/** One Kinesis record; anything else stands for `{ data: value }`. */
export interface KinesisRecordInit {
  /** The data: a string as UTF-8, bytes as they are, any other value as its JSON. */
  readonly data: unknown;
  readonly partitionKey?: string;
  readonly arrivedAt?: Date;
}

/** Options of {@link kinesisEvent}. */
export interface KinesisEventOptions extends ResourceOptions {
  readonly stream: string;
  /** Default `shardId-000000000000`. */
  readonly shardId?: string;
}

/** A Kinesis event for a stream, data base64-encoded as Kinesis sends it. */
export function kinesisEvent(
  records: readonly (string | Uint8Array | KinesisRecordInit)[],
  options: KinesisEventOptions,
): RecordsEvent {
  const { region, account } = where(options);
  const shard = options.shardId ?? 'shardId-000000000000';
  return {
    Records: records.map((r) => {
      const init = typeof r === 'string' || r instanceof Uint8Array ? { data: r } : r;
      const bytes = init.data instanceof Uint8Array ? init.data : Buffer.from(asText(init.data), 'utf8');
      const sequenceNumber = sequence(56);
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: init.partitionKey ?? '1',
          sequenceNumber,
          data: Buffer.from(bytes).toString('base64'),
          approximateArrivalTimestamp: (init.arrivedAt ?? new Date()).getTime() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shard}:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::${account}:role/lambda-role`,
        awsRegion: region,
        eventSourceARN: `arn:aws:kinesis:${region}:${account}:stream/${options.stream}`,
      };
    }),
  };
}
