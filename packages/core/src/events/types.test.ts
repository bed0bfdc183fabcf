/**
 * Type tests of the record registrations: `tsc --noEmit` checks these; each `@ts-expect-error`
 * fails the type check if the line it guards ever compiles.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { records } from './feature.js';
import type { DynamoDBChange, KinesisRecord, RecordContext, S3ObjectEvent, SqsMessage } from './types.js';

describe('record types', () => {
  it('types each record from its source and its schemas', () => {
    const app = createApp<{ tenant: string }>({ records: records(), service: 'types' });
    app.sqs('orders', { body: z.object({ orderId: z.string(), qty: z.number() }) }, (message, ctx) => {
      expectTypeOf(message.body).toEqualTypeOf<{ orderId: string; qty: number }>();
      expectTypeOf(ctx).toEqualTypeOf<RecordContext<{ tenant: string }>>();
      expectTypeOf(ctx.state.tenant).toBeString();
      // @ts-expect-error not a field of the schema
      void message.body.price;
    });
    app.sqs('raw', (message) => {
      expectTypeOf(message).toEqualTypeOf<SqsMessage<string>>();
    });
    app.sns('alerts', { message: z.object({ level: z.enum(['low', 'high']) }) }, (message) => {
      expectTypeOf(message.message.level).toEqualTypeOf<'low' | 'high'>();
    });
    app.s3('photos', { events: ['ObjectCreated:*'] }, (object) => {
      expectTypeOf(object).toEqualTypeOf<S3ObjectEvent>();
    });
    app.eventBridge({ source: 'kefir.batches' }, { detail: z.object({ batchId: z.string() }) }, (event) => {
      expectTypeOf(event.detail).toEqualTypeOf<{ batchId: string }>();
    });
    app.schedule('tick', { rate: '1 minute' }, (ctx) => {
      expectTypeOf(ctx.schedule.time).toEqualTypeOf<Date>();
      expectTypeOf(ctx.state.tenant).toBeString();
    });
    app.dynamodbStream('kefir', { newImage: z.object({ pk: z.string() }) }, (change) => {
      expectTypeOf(change.newImage).toEqualTypeOf<{ pk: string } | undefined>();
      expectTypeOf(change.oldImage).toEqualTypeOf<Record<string, unknown> | undefined>();
    });
    app.dynamodbStream('plain', (change) => {
      expectTypeOf(change).toEqualTypeOf<DynamoDBChange>();
    });
    app.kinesis('clicks', { data: z.object({ x: z.number() }) }, (record) => {
      expectTypeOf(record).toEqualTypeOf<KinesisRecord<{ x: number }>>();
    });
    app.useRecords(async (record, _ctx, next) => {
      if (record.kind === 'sqs') expectTypeOf(record.queue).toBeString();
      if (record.kind === 'dynamodb') expectTypeOf(record.table).toBeString();
      // @ts-expect-error the kind narrows: an S3 event has no queue
      if (record.kind === 's3') void record.queue;
      await next();
    });
    // Refused by the type checker and, for plain JavaScript callers, at start-up.
    // @ts-expect-error an unknown option
    expect(() => app.sqs('q', { bodyy: z.string() }, () => {})).toThrow(/bodyy/);
    // @ts-expect-error a schedule needs a rate or a cron
    expect(() => app.schedule('t', {}, () => {})).toThrow(/rate/);
    // @ts-expect-error EventBridge filters need a source
    expect(() => app.eventBridge({ detailType: 'x' }, () => {})).toThrow(/source/);
    expect(app.schedules()).toHaveLength(1);
  });
});
