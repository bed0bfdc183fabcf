import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMMANDS,
  checkRecordBody,
  helpText,
  parseCommandLine,
  readBodyArgument,
  UsageError,
} from './args.js';

const usageError = (argv: string[]): UsageError => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('the lift command line', () => {
  it('reads help and version, globally and per command', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      expect(parseCommandLine(argv)).toEqual({ kind: 'help', text: helpText() });
    }
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    for (const command of COMMANDS) {
      const text = helpText(command);
      expect(parseCommandLine([command, '--help'])).toEqual({ kind: 'help', text });
      expect(parseCommandLine([command, 'x.ts', '-h', '--prot'])).toEqual({ kind: 'help', text });
      expect(parseCommandLine(['help', command])).toEqual({ kind: 'help', text });
    }
    expect(helpText('dev')).toContain('--port N');
    expect(helpText('invoke')).toContain("--header 'NAME: VALUE'");
    // After `--`, --help is an argument like any other.
    expect(usageError(['dev', '--', 'a.ts', '--help']).message).toBe('unexpected argument "--help"');
  });

  it('names an unknown command or option, suggests the closest and lists the valid ones', () => {
    expect(usageError(['deploy', 'x.ts']).message).toBe(
      'unknown command "deploy"; the commands are dev, invoke, token, openapi (lift --help)',
    );
    expect(usageError(['dve']).message).toContain('(did you mean dev?)');
    const prot = usageError(['dev', 'x.ts', '--prot', '3000']);
    expect(prot.command).toBe('dev');
    expect(prot.message).toMatch(
      /^unknown option --prot \(did you mean --port\?\); the options are --port, --host/,
    );
    expect(usageError(['dev', 'x.ts', '--sub', 'ada']).message).toContain('(it belongs to lift token)');
    expect(usageError(['dev', 'x.ts', '-p', '1']).message).toMatch(/^unknown option -p;/);
    expect(usageError(['--port', '1']).message).toContain('the commands are dev, invoke, token, openapi');
  });

  it('refuses bad values with one line naming the option, what it takes and what it got', () => {
    const cases: [string[], string][] = [
      [['dev', 'x.ts', '--port', '99999'], '--port must be a port number from 0 to 65535, got "99999"'],
      [['dev', 'x.ts', '--port', 'abc'], '--port must be a port number from 0 to 65535, got "abc"'],
      [['dev', 'x.ts', '--port=-1'], '--port must be a port number from 0 to 65535, got "-1"'],
      [['dev', 'x.ts', '--port', '1.5'], '--port must be a port number from 0 to 65535, got "1.5"'],
      [['dev', 'x.ts', '--port'], '--port needs a value: --port N'],
      [['dev', 'x.ts', '--port', '--host', 'h'], '--port needs a value: --port N'],
      [['dev', 'x.ts', '--format', 'soap'], '--format must be one of http, rest, got "soap"'],
      [
        ['dev', 'x.ts', '--timeout-ms', '0'],
        '--timeout-ms must be milliseconds from 1 to 900000 (Lambda\'s 15 minutes), got "0"',
      ],
      [['dev', 'x.ts', '--no-watch=yes'], '--no-watch takes no value'],
      [
        ['dev', 'x.ts', '--dynamodb-endpoint', 'localhost:8000'],
        '--dynamodb-endpoint must be an http:// or https:// URL, got "localhost:8000"',
      ],
      [['dev', 'x.ts', '--host', ''], '--host must be a non-empty value, got ""'],
      [['dev'], "needs <entry>, the service's handler file: lift dev src/handler.ts --port 3000"],
      [['dev', 'a.ts', 'b.ts'], 'unexpected argument "b.ts"'],
      [
        ['token', 'x.ts'],
        'needs --sub USER: lift token src/handler.ts --sub ada --tenant acme --roles admin --aud my-api',
      ],
      [
        ['token', 'x.ts', '--sub', 'a', '--ttl', 'soon'],
        '--ttl must be whole seconds, at most a year either way, got "soon"',
      ],
      [
        ['invoke', 'x.ts', '--source', 'sqlite'],
        '--source must be one of apigw-http, apigw-rest, function-url, alb, sqs, sns, s3, eventbridge, dynamodb, kinesis, got "sqlite"',
      ],
      [
        ['invoke', 'x.ts', '--source', 'sqs'],
        '--source sqs needs --queue NAME and --body TEXT|@FILE (the message body)',
      ],
      [['invoke', 'x.ts', '--source', 's3', '--bucket', 'b'], '--source s3 needs --key KEY'],
      [
        ['invoke', 'x.ts', '--source', 'sns', '--topic', 't', '--body', 'x', '--queue', 'q'],
        '--source sns takes --topic, --subject, --body, not --queue',
      ],
      [
        ['invoke', 'x.ts', '--source', 's3', '--bucket', 'b', '--key', 'k', '--body', 'x'],
        '--source s3 takes --bucket, --key, --event-name, not --body',
      ],
      [
        ['invoke', 'x.ts', '--source', 'kinesis', '--stream', 's', '--body', 'x', '--path', '/a'],
        '--source kinesis is not an HTTP request; leave out --path',
      ],
      [['invoke', 'x.ts', '--queue', 'q'], '--queue is for --source sqs'],
      [['invoke', 'x.ts', '--event-name', 'INSERT'], '--event-name is for --source s3 or --source dynamodb'],
      [
        ['invoke', 'x.ts', '--source', 'sqs', '--queue', 'q', '--group', 'g', '--body', 'x'],
        '--group is for FIFO queues, whose names end in .fifo',
      ],
      [
        ['invoke', 'x.ts', '--source', 'dynamodb', '--table', 't'],
        '--source dynamodb needs --new-image JSON or --old-image JSON (or --event-name with --keys JSON)',
      ],
      [
        ['invoke', 'x.ts', '--source', 'dynamodb', '--table', 't', '--new-image', '[1]'],
        `--new-image must be a JSON object such as '{"id":"n1"}', got "[1]"`,
      ],
      [
        ['invoke', 'x.ts', '--source', 'dynamodb', '--table', 't', '--event-name', 'UPSERT'],
        '--event-name must be one of INSERT, MODIFY, REMOVE, got "UPSERT"',
      ],
      [
        ['invoke', 'x.ts', '--source', 's3', '--bucket', 'b', '--key', 'k', '--event-name', 'created'],
        '--event-name must be an S3 event name such as ObjectCreated:Put or ObjectRemoved:Delete, got "created"',
      ],
      [
        ['invoke', 'x.ts', '--schedule', 'tick', '--source', 'sqs'],
        "--schedule sends Lift's schedule payload; leave out --source, or drop --schedule",
      ],
      [
        ['invoke', 'x.ts', '--schedule', 'no spaces'],
        '--schedule must be a schedule name (1-64 letters, digits, "_", "." or "-"), got "no spaces"',
      ],
      [
        ['invoke', 'x.ts', '--event', 'e.json', '--schedule', 'tick'],
        '--event sends the file as it is; leave out --schedule, or drop --event',
      ],
      [['invoke', 'x.ts', '--header', 'no colon'], `--header must be 'name: value', got "no colon"`],
      [
        ['invoke', 'x.ts', '--method', 'GET /'],
        '--method must be a method name such as GET or POST, got "GET /"',
      ],
      [['invoke', 'x.ts', '--path', 'items'], '--path must be a path starting with /, got "items"'],
      [
        ['invoke', 'x.ts', '--event', 'e.json', '--body', '{}'],
        '--event sends the file as it is; leave out --body, or drop --event',
      ],
    ];
    for (const [argv, message] of cases) {
      const error = usageError(argv);
      expect(error.message, argv.join(' ')).toBe(message);
      expect(error.message).not.toContain('\n');
    }
  });

  it('turns a dev command line into the dev server options', () => {
    expect(
      parseCommandLine(['dev', 'src/h.ts', '--port=0', '--host', '0.0.0.0', '--no-watch', '--data-dir', 'd']),
    ).toEqual({
      kind: 'dev',
      options: {
        entry: 'src/h.ts',
        port: 0,
        host: '0.0.0.0',
        format: 'http',
        timeoutMs: 30_000,
        watch: false,
        schedules: true,
        dataDir: 'd',
      },
    });
    expect(parseCommandLine(['dev', 'h.ts', '--no-schedules'])).toMatchObject({
      kind: 'dev',
      options: { schedules: false, watch: true },
    });
  });

  it('reads --schedule and the options of each record source for invoke', () => {
    expect(parseCommandLine(['invoke', 'h.ts', '--schedule', 'due-reminders'])).toEqual({
      kind: 'invoke',
      options: { entry: 'h.ts', schedule: 'due-reminders' },
    });
    expect(
      parseCommandLine([
        'invoke',
        'h.ts',
        '--source',
        'sqs',
        '--queue',
        'jobs.fifo',
        '--group',
        'g',
        '--body',
        'x',
      ]),
    ).toEqual({
      kind: 'invoke',
      options: { entry: 'h.ts', source: 'sqs', record: { queue: 'jobs.fifo', group: 'g' } },
      body: 'x',
    });
    expect(
      parseCommandLine([
        'invoke',
        'h.ts',
        '--source',
        'dynamodb',
        '--table',
        'notes',
        '--old-image',
        '{"id":"n1","n":1}',
        '--new-image={"id":"n1","n":2}',
      ]),
    ).toEqual({
      kind: 'invoke',
      options: {
        entry: 'h.ts',
        source: 'dynamodb',
        record: { table: 'notes', oldImage: { id: 'n1', n: 1 }, newImage: { id: 'n1', n: 2 } },
      },
    });
    expect(
      parseCommandLine([
        'invoke',
        'h.ts',
        '--source',
        'eventbridge',
        '--event-source',
        'orders.service',
        '--detail-type',
        'Order Placed',
      ]),
    ).toMatchObject({ options: { record: { eventSource: 'orders.service', detailType: 'Order Placed' } } });
    expect(helpText('invoke')).toContain('--schedule NAME');
    expect(helpText('invoke')).toContain('--new-image JSON');
    expect(helpText('dev')).toContain('--no-schedules');
  });

  it('checks a record body read from a file: UTF-8 text for messages, JSON for an EventBridge detail', () => {
    expect(() => checkRecordBody('sqs', new Uint8Array([0xff]))).toThrow(
      '--body must be UTF-8 text for --source sqs',
    );
    expect(() => checkRecordBody('sqs', '')).toThrow(/must not be empty/);
    expect(() => checkRecordBody('eventbridge', 'nope')).toThrow(
      `--body must be the event's detail as JSON for --source eventbridge, got "nope"`,
    );
    expect(() => checkRecordBody('eventbridge', '{"a":1}')).not.toThrow();
    expect(() => checkRecordBody('kinesis', new Uint8Array([0xff]))).not.toThrow();
    expect(() => checkRecordBody('apigw-http', new Uint8Array([0xff]))).not.toThrow();
  });

  it('takes repeated headers and query parameters, a method in any case and a body for invoke', () => {
    expect(
      parseCommandLine([
        'invoke',
        'h.ts',
        '--method',
        'post',
        '--header',
        'authorization: Bearer a.b.c',
        '--header',
        'x-tag:one',
        '--header',
        'X-Tag: two',
        '--query',
        'a=1',
        '--query',
        'a=2',
        '--query',
        'flag',
        '--body',
        '{"x":1}',
      ]),
    ).toEqual({
      kind: 'invoke',
      options: {
        entry: 'h.ts',
        method: 'POST',
        headers: { authorization: ['Bearer a.b.c'], 'x-tag': ['one'], 'X-Tag': ['two'] },
        query: { a: ['1', '2'], flag: [''] },
      },
      body: '{"x":1}',
    });
  });

  it('reads a token command line, an expired lifetime included', () => {
    expect(parseCommandLine(['token', 'h.ts', '--sub', 'ada', '--roles', 'a, b,', '--ttl', '-60'])).toEqual({
      kind: 'token',
      entry: 'h.ts',
      token: { sub: 'ada', roles: ['a', 'b'], ttlSeconds: -60 },
    });
  });

  it('reads --body @file as bytes, @@ as a literal @, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lift-body-'));
    try {
      writeFileSync(join(dir, 'b.bin'), new Uint8Array([0, 255]));
      expect(readBodyArgument(`@${join(dir, 'b.bin')}`)).toEqual(new Uint8Array([0, 255]));
      expect(readBodyArgument('@@handle')).toBe('@handle');
      expect(readBodyArgument('plain')).toBe('plain');
      expect(() => readBodyArgument(`@${join(dir, 'none.json')}`)).toThrow(
        `cannot read the --body file ${join(dir, 'none.json')}: no such file`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
