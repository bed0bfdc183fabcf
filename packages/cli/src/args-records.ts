import type { reader, Values } from './args.js';
import { type Command, OPTIONS, RECORD_OPTIONS } from './commands.js';
import { UsageError } from './errors.js';
import type { InvokeOptions } from './invoke.js';
import { RECORD_FLAGS, type RecordEventInit, type RecordSourceName } from './invoke-records.js';

// What `lift invoke` reads for a record source, and checks in the body it was given.

/** `{ key: value }`, or nothing when the value is undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** S3's notification event names: `ObjectCreated:Put`, `LifecycleTransition`, ... */
const S3_EVENT =
  /^(ObjectCreated|ObjectRemoved|ObjectRestore|ObjectTagging|ObjectAcl|LifecycleExpiration|LifecycleTransition|IntelligentTiering|Replication|ReducedRedundancyLostObject)(:[A-Za-z]+)?$/;

const BODY_IS: Readonly<Record<string, string>> = {
  sqs: 'the message body',
  sns: 'the message',
  kinesis: 'the data',
  eventbridge: "the event's detail, as JSON",
};

/** The options of a record source: those it needs, those it may have, nothing else. */
export function recordOptions(
  command: Command,
  source: RecordSourceName,
  values: Values,
  read: ReturnType<typeof reader>,
): RecordEventInit {
  const spec = RECORD_FLAGS[source];
  const http = ['method', 'path', 'header', 'query'].filter((name) => values.has(name));
  if (http.length > 0)
    throw new UsageError(
      `--source ${source} is not an HTTP request; leave out ${http.map((h) => `--${h}`).join(', ')}`,
      command,
    );
  const takes = [...spec.required, ...spec.optional, ...(spec.body === 'none' ? [] : ['body'])];
  const other = [...RECORD_OPTIONS, 'body'].find((name) => values.has(name) && !takes.includes(name));
  if (other !== undefined)
    throw new UsageError(
      `--source ${source} takes ${takes.map((t) => `--${t}`).join(', ')}, not --${other}`,
      command,
    );
  const missing = [...spec.required, ...(spec.body === 'required' ? ['body'] : [])].filter(
    (name) => !values.has(name),
  );
  if (missing.length > 0)
    throw new UsageError(
      `--source ${source} needs ${missing
        .map((m) => `--${m} ${OPTIONS[m]?.value}${m === 'body' ? ` (${BODY_IS[source]})` : ''}`)
        .join(' and ')}`,
      command,
    );
  const json = (name: string): Record<string, unknown> | undefined => {
    const value = read.text(name);
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return read.bad(name, 'a JSON object such as \'{"id":"n1"}\'');
    return parsed as Record<string, unknown>;
  };
  let eventName = read.text('event-name');
  if (source === 's3' && eventName !== undefined && !S3_EVENT.test(eventName))
    read.bad('event-name', 'an S3 event name such as ObjectCreated:Put or ObjectRemoved:Delete');
  if (source === 'dynamodb') eventName = read.oneOf('event-name', ['INSERT', 'MODIFY', 'REMOVE'] as const);
  const init: RecordEventInit = {
    ...optional('queue', read.text('queue')),
    ...optional('group', read.text('group')),
    ...optional('topic', read.text('topic')),
    ...optional('subject', read.text('subject')),
    ...optional('bucket', read.text('bucket')),
    ...optional('key', read.text('key')),
    ...optional('eventName', eventName),
    ...optional('eventSource', read.text('event-source')),
    ...optional('detailType', read.text('detail-type')),
    ...optional('table', read.text('table')),
    ...optional('newImage', json('new-image')),
    ...optional('oldImage', json('old-image')),
    ...optional('keys', json('keys')),
    ...optional('stream', read.text('stream')),
    ...optional('partitionKey', read.text('partition-key')),
  };
  if (init.group !== undefined && !init.queue?.endsWith('.fifo'))
    throw new UsageError('--group is for FIFO queues, whose names end in .fifo', command);
  if (
    source === 'dynamodb' &&
    init.newImage === undefined &&
    init.oldImage === undefined &&
    (init.eventName === undefined || init.keys === undefined)
  )
    throw new UsageError(
      '--source dynamodb needs --new-image JSON or --old-image JSON (or --event-name with --keys JSON)',
      command,
    );
  return init;
}

/**
 * Checks a `--body` read from its file against what the record source takes: UTF-8 text for a
 * message, JSON for an EventBridge detail. Throws {@link UsageError}.
 */
export function checkRecordBody(source: InvokeOptions['source'], body: string | Uint8Array): void {
  if (source !== 'sqs' && source !== 'sns' && source !== 'eventbridge') return;
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new UsageError(`--body must be UTF-8 text for --source ${source}`, 'invoke');
  }
  if (source === 'sqs' && text === '')
    throw new UsageError('--body must not be empty: SQS messages have at least one character', 'invoke');
  if (source !== 'eventbridge') return;
  try {
    JSON.parse(text);
  } catch {
    throw new UsageError(
      `--body must be the event's detail as JSON for --source eventbridge, got ${JSON.stringify(text.slice(0, 40))}`,
      'invoke',
    );
  }
}
