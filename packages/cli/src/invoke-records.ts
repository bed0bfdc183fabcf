import type { TableDefinition } from '@lift/core/dynamodb';
import {
  dynamodbStreamEvent,
  eventBridgeEvent,
  kinesisEvent,
  s3Event,
  snsEvent,
  sqsEvent,
} from '@lift/core/testing';

/** The record sources `lift invoke --source` builds events for, besides HTTP. */
export const RECORD_SOURCES = ['sqs', 'sns', 's3', 'eventbridge', 'dynamodb', 'kinesis'] as const;
/** One of {@link RECORD_SOURCES}. */
export type RecordSourceName = (typeof RECORD_SOURCES)[number];

/** What a record event is built from, besides the body (`lift invoke`'s per-source options). */
export interface RecordEventInit {
  /** sqs: the queue (a name ending in `.fifo` is a FIFO queue). */
  readonly queue?: string;
  /** sqs: the FIFO message group. */
  readonly group?: string;
  /** sns: the topic. */
  readonly topic?: string;
  readonly subject?: string;
  /** s3: the bucket and the object key, as stored. */
  readonly bucket?: string;
  readonly key?: string;
  /** s3: `ObjectCreated:Put` (default), ...; dynamodb: `INSERT`, `MODIFY`, `REMOVE`. */
  readonly eventName?: string;
  /** eventbridge: the event's `source` and `detail-type`. */
  readonly eventSource?: string;
  readonly detailType?: string;
  /** dynamodb: the table and the item before and after the change. */
  readonly table?: string;
  readonly newImage?: Readonly<Record<string, unknown>>;
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly keys?: Readonly<Record<string, unknown>>;
  /** kinesis: the stream and the record's partition key. */
  readonly stream?: string;
  readonly partitionKey?: string;
}

/** What each record source takes on the command line: flags it needs, flags it may have, its body. */
export const RECORD_FLAGS: Readonly<
  Record<
    RecordSourceName,
    {
      readonly required: readonly string[];
      readonly optional: readonly string[];
      readonly body: 'required' | 'json' | 'none';
    }
  >
> = {
  sqs: { required: ['queue'], optional: ['group'], body: 'required' },
  sns: { required: ['topic'], optional: ['subject'], body: 'required' },
  s3: { required: ['bucket', 'key'], optional: ['event-name'], body: 'none' },
  eventbridge: { required: ['event-source', 'detail-type'], optional: [], body: 'json' },
  dynamodb: { required: ['table'], optional: ['event-name', 'new-image', 'old-image', 'keys'], body: 'none' },
  kinesis: { required: ['stream'], optional: ['partition-key'], body: 'required' },
};

const text = (body: string | Uint8Array | undefined): string =>
  body === undefined ? '' : typeof body === 'string' ? body : Buffer.from(body).toString('utf8');

/**
 * The event a record source would deliver, built with `@lift/core/testing`'s factories. A DynamoDB
 * change finds its key attributes and stream view in the table of that name the service declares.
 */
export async function buildRecordEvent(
  source: RecordSourceName,
  init: RecordEventInit,
  body: string | Uint8Array | undefined,
  tables: readonly TableDefinition[] = [],
): Promise<Record<string, unknown>> {
  switch (source) {
    case 'sqs':
      return {
        ...sqsEvent([{ body: text(body), ...(init.group === undefined ? {} : { groupId: init.group }) }], {
          queue: init.queue ?? '',
        }),
      };
    case 'sns':
      return {
        ...snsEvent(
          [{ message: text(body), ...(init.subject === undefined ? {} : { subject: init.subject }) }],
          {
            topic: init.topic ?? '',
          },
        ),
      };
    case 's3':
      return {
        ...s3Event([{ key: init.key ?? '', eventName: init.eventName ?? 'ObjectCreated:Put' }], {
          bucket: init.bucket ?? '',
        }),
      };
    case 'eventbridge':
      return eventBridgeEvent({
        source: init.eventSource ?? '',
        detailType: init.detailType ?? '',
        detail: body === undefined ? {} : JSON.parse(text(body)),
      });
    case 'dynamodb': {
      const table = tables.find((t) => t.name === init.table || t.tableName() === init.table);
      const keyAttributes = table === undefined ? [] : [table.partitionKey.name];
      if (table?.sortKey !== undefined) keyAttributes.push(table.sortKey.name);
      return {
        ...(await dynamodbStreamEvent(
          [
            {
              ...(init.eventName === undefined
                ? {}
                : { eventName: init.eventName as 'INSERT' | 'MODIFY' | 'REMOVE' }),
              ...(init.keys === undefined ? {} : { keys: init.keys }),
              ...(init.newImage === undefined ? {} : { newImage: init.newImage }),
              ...(init.oldImage === undefined ? {} : { oldImage: init.oldImage }),
            },
          ],
          {
            table: init.table ?? '',
            keyAttributes,
            ...(table?.stream === undefined ? {} : { streamViewType: table.stream }),
          },
        )),
      };
    }
    case 'kinesis':
      return {
        ...kinesisEvent(
          [
            {
              data: body ?? '',
              ...(init.partitionKey === undefined ? {} : { partitionKey: init.partitionKey }),
            },
          ],
          { stream: init.stream ?? '' },
        ),
      };
  }
}
