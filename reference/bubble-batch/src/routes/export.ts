/**
 * `GET /export.csv`: the user's batches and events as CSV (RFC 4180, formula cells neutralised).
 * Through a streaming handler (`streamify(app)` on a Function URL) the rows are streamed as they are
 * written, whatever the size. Otherwise, up to `exportInlineBytes` (1 MiB) it is the answer itself;
 * larger, it is written to the bucket and the answer is a 303 to a presigned link, so exports are
 * never bound by Lambda's 6 MB response limit.
 */
import type { App } from '@lift/core';
import type { Item } from '@lift/core/dynamodb';
import { type Deps, userOf } from '../deps.js';
import { csvRow } from '../domain/csv.js';
import { BATCH_PREFIX, EVENT_PREFIX, userPk } from '../keys.js';

export const CSV_COLUMNS = [
  'batch_id',
  'batch_name',
  'batch_type',
  'batch_status',
  'public',
  'started_at',
  'batch_notes',
  'event_id',
  'event_type',
  'event_at',
  'event_notes',
  'has_photo',
] as const;

/** The CSV of a user's data: one row per event, with its batch; a batch without events has one row. */
export async function exportCsv(deps: Deps, userId: string): Promise<string> {
  let csv = '';
  for await (const row of exportRows(deps, userId)) csv += row;
  return csv;
}

/** {@link exportCsv} row by row (the header first), for streaming. */
export async function* exportRows(deps: Deps, userId: string): AsyncGenerator<string> {
  const read = async (prefix: string) => {
    const items: Item[] = [];
    for await (const item of deps.data.queryAll({ partition: userPk(userId), sortBeginsWith: prefix }))
      items.push(item);
    return items;
  };
  const [batches, events] = await Promise.all([read(BATCH_PREFIX), read(EVENT_PREFIX)]);
  const byBatch = new Map<unknown, Item[]>();
  for (const event of events) byBatch.set(event.batchId, [...(byBatch.get(event.batchId) ?? []), event]);
  yield csvRow(CSV_COLUMNS);
  batches.sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)));
  for (const b of batches) {
    const batch = [b.id, b.name, b.batchType, b.status, b.public, b.startedAt, b.notes] as (
      | string
      | boolean
      | undefined
    )[];
    const own = byBatch.get(b.id) ?? [];
    if (own.length === 0) yield csvRow([...batch, '', '', '', '', '']);
    for (const e of own)
      yield csvRow([
        ...batch,
        e.id as string,
        e.eventType as string,
        e.at as string,
        e.notes as string | undefined,
        e.photoKey !== undefined,
      ]);
  }
}

export function exportRoutes(app: App, deps: Deps) {
  return app.get(
    '/export.csv',
    { auth: {}, rateLimit: { name: 'export', limit: 10, window: '1h', by: 'user' } },
    async (ctx) => {
      const userId = userOf(ctx);
      const fileName = `bubble-batch-${new Date(deps.now()).toISOString().slice(0, 10)}.csv`;
      if (ctx.streaming)
        return ctx
          .header('content-disposition', `attachment; filename="${fileName}"`)
          .stream(exportRows(deps, userId), { contentType: 'text/csv; charset=utf-8' });
      const csv = await exportCsv(deps, userId);
      if (Buffer.byteLength(csv) > deps.exportInlineBytes)
        return ctx.redirect(await deps.exports.save(userId, csv, fileName), 303);
      return ctx
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .text(csv);
    },
  );
}
