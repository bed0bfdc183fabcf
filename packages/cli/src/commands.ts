import { HTTP_SOURCES } from './invoke.js';
import { RECORD_FLAGS, RECORD_SOURCES } from './invoke-records.js';

/** The commands of `lift`. */
export const COMMANDS = ['dev', 'invoke', 'token', 'openapi'] as const;
/** One of {@link COMMANDS}. */
export type Command = (typeof COMMANDS)[number];

/** An option of the command line. */
export interface OptionSpec {
  /** Placeholder of the value; none for a flag. */
  readonly value?: string;
  readonly repeat?: boolean;
  readonly help: string;
}

/** Every option, by name (without the dashes). */
export const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  port: { value: 'N', help: 'port to listen on (default 3000; 0 picks a free one)' },
  host: { value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
  format: { value: 'http|rest', help: 'API Gateway payload: HTTP API v2 (default) or REST v1' },
  'timeout-ms': { value: 'N', help: 'the Lambda timeout the handler sees, in ms (default 30000)' },
  'data-dir': { value: 'DIR', help: "keep the embedded DynamoDB's data in DIR (one process at a time)" },
  'dynamodb-endpoint': {
    value: 'URL',
    help: 'use this DynamoDB (DynamoDB Local, AWS), not the embedded one',
  },
  'no-watch': { help: 'do not reload when the sources change' },
  'no-schedules': { help: 'do not fire the schedules the app declares' },
  event: { value: 'FILE', help: 'send the event in this JSON file as it is' },
  schedule: { value: 'NAME', help: "fire this declared schedule once, with Lift's schedule payload" },
  source: {
    value: 'SOURCE',
    help: `build the event for ${HTTP_SOURCES.join(', ')} (default the first), or ${RECORD_SOURCES.join(', ')}`,
  },
  method: { value: 'METHOD', help: 'request method (default GET)' },
  path: { value: 'PATH', help: 'request path, query string allowed (default /)' },
  header: { value: "'NAME: VALUE'", repeat: true, help: 'a request header (repeatable)' },
  query: { value: 'K=V', repeat: true, help: 'a query parameter (repeatable)' },
  body: {
    value: 'TEXT|@FILE',
    help: 'request body; the message (sqs, sns), detail (eventbridge, JSON) or data (kinesis); @file, @- stdin',
  },
  queue: { value: 'NAME', help: 'sqs: the queue (a name ending in .fifo is a FIFO queue)' },
  group: { value: 'ID', help: 'sqs: the FIFO message group (default "default")' },
  topic: { value: 'NAME', help: 'sns: the topic' },
  subject: { value: 'TEXT', help: 'sns: the subject' },
  bucket: { value: 'NAME', help: 's3: the bucket' },
  key: { value: 'KEY', help: 's3: the object key as stored (the event carries it URL-encoded, as S3 does)' },
  'event-name': {
    value: 'NAME',
    help: 's3: ObjectCreated:Put (default), ObjectRemoved:Delete...; dynamodb: INSERT, MODIFY, REMOVE',
  },
  'event-source': { value: 'SOURCE', help: "eventbridge: the event's source, such as orders.service" },
  'detail-type': { value: 'TYPE', help: "eventbridge: the event's detail-type" },
  table: { value: 'NAME', help: 'dynamodb: the table (its declaration gives the key attributes)' },
  'new-image': { value: 'JSON', help: 'dynamodb: the item after the change' },
  'old-image': { value: 'JSON', help: 'dynamodb: the item before the change' },
  keys: { value: 'JSON', help: "dynamodb: the item's key (default: from the image and the table)" },
  stream: { value: 'NAME', help: 'kinesis: the stream' },
  'partition-key': { value: 'KEY', help: 'kinesis: the partition key (default "1")' },
  sub: { value: 'USER', help: 'the user id (required)' },
  tenant: { value: 'TENANT', help: 'the tenant id (custom:tenant_id)' },
  roles: { value: 'A,B', help: 'roles (cognito:groups)' },
  scopes: { value: 'X,Y', help: 'scopes (scope)' },
  aud: { value: 'AUDIENCE', help: 'the audience the service expects (default lift-dev)' },
  ttl: {
    value: 'SECONDS',
    help: 'lifetime (default 3600; negative: expired that long, beyond the 30 s clock skew)',
  },
  out: { value: 'FILE', help: 'write the document to FILE (default: print it)' },
  title: { value: 'TEXT', help: "info.title (default the app's service name)" },
  version: { value: 'VERSION', help: 'info.version (default 0.0.0)' },
  server: { value: 'URL', repeat: true, help: 'a server URL (repeatable)' },
};

/** An option as a command reads it: its own spec where the command gives the name another meaning. */
export function optionSpec(command: Command, name: string): OptionSpec | undefined {
  return SPECS[command].own?.[name] ?? OPTIONS[name];
}

const SHARED = ['data-dir', 'dynamodb-endpoint'];
/** The options `lift invoke` builds a request from. */
export const REQUEST = ['source', 'method', 'path', 'header', 'query', 'body'];
/** The options of the record sources of `lift invoke`, each once. */
export const RECORD_OPTIONS = [
  ...new Set(Object.values(RECORD_FLAGS).flatMap((f) => [...f.required, ...f.optional])),
];

/** What each command takes, and says about itself in its help. */
export const SPECS: Readonly<
  Record<
    Command,
    {
      summary: string;
      about: string;
      options: string[];
      example: string;
      /** Options this command reads differently from the others (`--format` of `openapi`). */
      own?: Readonly<Record<string, OptionSpec>>;
    }
  >
> = {
  dev: {
    summary: 'run a service on a local HTTP server, reloading on changes',
    about:
      'Runs the service at <entry> (a file exporting `handler`) as API Gateway and Lambda would, with\nDynamoDB embedded, and reloads it when its sources change. The schedules the app declares fire\non their clock when the entry exports its `app` too.',
    options: ['port', 'host', 'format', 'timeout-ms', ...SHARED, 'no-watch', 'no-schedules'],
    example: 'lift dev src/handler.ts --port 3000',
  },
  invoke: {
    summary: 'call the handler once and print its result',
    about:
      "Calls the handler of <entry> once, in the environment lift dev gives it, and prints the result\non stdout (the handler's logs go to stderr). The event comes from --event, fires a declared\n--schedule, or is built for --source from the request options or the record source's options.",
    options: ['event', 'schedule', ...REQUEST, ...RECORD_OPTIONS, 'timeout-ms', ...SHARED],
    example:
      'lift invoke src/handler.ts --path /me --header "authorization: Bearer $(lift token src/handler.ts --sub ada)"',
  },
  token: {
    summary: 'mint a development token the service accepts under lift dev and lift invoke',
    about: "Prints an RS256 token from the development issuer of <entry>, with Cognito's claim names.",
    options: ['sub', 'tenant', 'roles', 'scopes', 'aud', 'ttl'],
    example: 'lift token src/handler.ts --sub ada --tenant acme --roles admin --aud my-api',
  },
  openapi: {
    summary: "print the service's OpenAPI 3.1 document, built from its routes",
    about:
      'Loads <entry> as lift dev does and prints the OpenAPI 3.1 document of the app it exports (`export\nconst app`): paths, parameters, bodies and responses from the route schemas, errors, security\nschemes and rate limits. Schemas it cannot state exactly are named on stderr.',
    options: ['out', 'format', 'title', 'version', 'server'],
    example: 'lift openapi src/handler.ts --out openapi.json --server https://api.example.com',
    own: { format: { value: 'json|yaml', help: 'json (default) or yaml' } },
  },
};

/** The help of `lift`, or of one command. */
export function helpText(command?: Command): string {
  if (command === undefined) {
    const width = Math.max(...COMMANDS.map((c) => c.length)) + 3;
    return [
      'Usage: lift <command> <entry> [options]',
      '',
      'Commands:',
      ...COMMANDS.map((c) => `  ${c.padEnd(width)}${SPECS[c].summary}`),
      '',
      '`lift <command> --help` lists the options of a command; `lift --version` prints the version.',
    ].join('\n');
  }
  const spec = SPECS[command];
  const flags = spec.options.map((name): [string, string] => {
    const option = optionSpec(command, name) as OptionSpec;
    return [`--${name}${option.value === undefined ? '' : ` ${option.value}`}`, option.help];
  });
  flags.push(['-h, --help', 'show this help']);
  const width = Math.max(...flags.map(([f]) => f.length)) + 3;
  return [
    `Usage: lift ${command} <entry> [options]`,
    '',
    spec.about,
    '',
    'Options:',
    ...flags.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
    '',
    'Example:',
    `  ${spec.example}`,
  ].join('\n');
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + cost));
    }
    row = next;
  }
  return row[b.length] as number;
}

/** The candidate closest to a mistyped word, if one is close enough to be what was meant. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
