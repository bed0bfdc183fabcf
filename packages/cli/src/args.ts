import { readFileSync } from 'node:fs';
import { optional, recordOptions } from './args-records.js';
import {
  COMMANDS,
  type Command,
  helpText,
  optionSpec,
  RECORD_OPTIONS,
  REQUEST,
  SPECS,
  suggest,
} from './commands.js';
import { DEFAULT_TIMEOUT_MS } from './deadline.js';
import type { DevTokenOptions } from './dev-issuer.js';
import type { DevServerOptions } from './dev-server.js';
import { UsageError } from './errors.js';
import { INVOKE_SOURCES, type InvokeOptions } from './invoke.js';
import { RECORD_FLAGS, RECORD_SOURCES, type RecordSourceName } from './invoke-records.js';
import type { OpenApiCommandOptions } from './openapi.js';

export { checkRecordBody } from './args-records.js';
export { COMMANDS, type Command, helpText } from './commands.js';
export { UsageError } from './errors.js';

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'dev'; readonly options: Omit<DevServerOptions, 'log'> }
  | { readonly kind: 'token'; readonly entry: string; readonly token: DevTokenOptions }
  | { readonly kind: 'openapi'; readonly options: Omit<OpenApiCommandOptions, 'log'> }
  | {
      readonly kind: 'invoke';
      readonly options: Omit<InvokeOptions, 'log' | 'body'>;
      readonly body?: string;
    };

/** The options given, by name. */
export type Values = Map<string, string | true | string[]>;

function tokenize(command: Command, args: readonly string[]): { values: Values; positionals: string[] } {
  const allowed = SPECS[command].options;
  const values: Values = new Map();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : arg;
    const spec = optionSpec(command, name);
    if (spec === undefined || !allowed.includes(name)) {
      const guess = suggest(name, allowed);
      const elsewhere =
        spec === undefined ? undefined : COMMANDS.find((c) => SPECS[c].options.includes(name));
      throw new UsageError(
        `unknown option ${arg.startsWith('--') ? `--${name}` : arg}${
          elsewhere === undefined ? '' : ` (it belongs to lift ${elsewhere})`
        }${guess === undefined ? '' : ` (did you mean --${guess}?)`}; the options are ${allowed
          .map((o) => `--${o}`)
          .join(', ')}`,
        command,
      );
    }
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`, command);
      values.set(name, true);
      continue;
    }
    const value = inline ?? args[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value: --${name} ${spec.value}`, command);
    }
    if (inline === undefined) i += 1;
    if (spec.repeat === true) {
      const list = values.get(name);
      values.set(name, [...(Array.isArray(list) ? list : []), value]);
    } else {
      values.set(name, value);
    }
  }
  return { values, positionals };
}

/** Reads the typed value of each option, refusing bad values with one line each. */
export function reader(command: Command, values: Values) {
  const bad = (name: string, expected: string): never => {
    throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(values.get(name))}`, command);
  };
  const text = (name: string): string | undefined => {
    const value = values.get(name);
    if (typeof value !== 'string') return undefined;
    if (value.trim() === '') bad(name, 'a non-empty value');
    return value;
  };
  const integer = (name: string, min: number, max: number, expected: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : bad(name, expected);
  };
  const oneOf = <T extends string>(name: string, choices: readonly T[]): T | undefined => {
    const value = text(name);
    if (value === undefined || (choices as readonly string[]).includes(value)) return value as T | undefined;
    return bad(name, `one of ${choices.join(', ')}`);
  };
  const list = (name: string): string[] | undefined =>
    text(name)
      ?.split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  const pairs = (name: string, separator: RegExp, expected: string) => {
    const out: Record<string, string[]> = {};
    const raw = values.get(name);
    for (const item of Array.isArray(raw) ? raw : []) {
      const match = separator.exec(item);
      if (match === null)
        throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(item)}`, command);
      (out[match[1] as string] ??= []).push(match[2] as string);
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
  return { text, integer, oneOf, list, pairs, bad, flag: (name: string) => values.get(name) === true };
}

function parseCommand(command: Command, args: readonly string[]): Invocation {
  if (args.includes('--help') || args.includes('-h')) {
    const end = args.indexOf('--');
    const help = Math.max(args.indexOf('--help'), args.indexOf('-h'));
    if (end === -1 || help < end) return { kind: 'help', text: helpText(command) };
  }
  const { values, positionals } = tokenize(command, args);
  const [entry, extra] = positionals;
  if (entry === undefined) {
    throw new UsageError(`needs <entry>, the service's handler file: ${SPECS[command].example}`, command);
  }
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`, command);
  const read = reader(command, values);
  const endpoint = read.text('dynamodb-endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    read.bad('dynamodb-endpoint', 'an http:// or https:// URL');
  }
  const shared = { ...optional('dataDir', read.text('data-dir')), ...optional('dynamodbEndpoint', endpoint) };
  const timeoutMs = read.integer(
    'timeout-ms',
    1,
    900_000,
    "milliseconds from 1 to 900000 (Lambda's 15 minutes)",
  );
  if (command === 'dev') {
    return {
      kind: 'dev',
      options: {
        entry,
        port: read.integer('port', 0, 65_535, 'a port number from 0 to 65535') ?? 3000,
        ...optional('host', read.text('host')),
        format: read.oneOf('format', ['http', 'rest'] as const) ?? 'http',
        timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
        watch: !read.flag('no-watch'),
        schedules: !read.flag('no-schedules'),
        ...shared,
      },
    };
  }
  if (command === 'openapi') {
    const servers = values.get('server');
    for (const url of Array.isArray(servers) ? servers : [])
      if (!/^(https?:\/\/[^/\s]+|\/)\S*$/.test(url))
        throw new UsageError(
          `--server must be an http(s) URL or a path, got ${JSON.stringify(url)}`,
          command,
        );
    return {
      kind: 'openapi',
      options: {
        entry,
        format: read.oneOf('format', ['json', 'yaml'] as const) ?? 'json',
        ...optional('out', read.text('out')),
        ...optional('title', read.text('title')),
        ...optional('version', read.text('version')),
        ...optional('servers', Array.isArray(servers) ? servers : undefined),
      },
    };
  }
  if (command === 'token') {
    const sub = read.text('sub');
    if (sub === undefined) throw new UsageError(`needs --sub USER: ${SPECS.token.example}`, command);
    return {
      kind: 'token',
      entry,
      token: {
        sub,
        ...optional('tenant', read.text('tenant')),
        ...optional('roles', read.list('roles')),
        ...optional('scopes', read.list('scopes')),
        ...optional('audience', read.text('aud')),
        ttlSeconds:
          read.integer('ttl', -31_536_000, 31_536_000, 'whole seconds, at most a year either way') ?? 3600,
      },
    };
  }
  const event = read.text('event');
  const schedule = read.text('schedule');
  const given = [...REQUEST, ...RECORD_OPTIONS].filter((name) => values.has(name));
  const leaveOut = (names: readonly string[]) => names.map((r) => `--${r}`).join(', ');
  if (event !== undefined && (given.length > 0 || schedule !== undefined)) {
    throw new UsageError(
      `--event sends the file as it is; leave out ${leaveOut(schedule === undefined ? given : ['schedule', ...given])}, or drop --event`,
      command,
    );
  }
  if (schedule !== undefined) {
    if (given.length > 0)
      throw new UsageError(
        `--schedule sends Lift's schedule payload; leave out ${leaveOut(given)}, or drop --schedule`,
        command,
      );
    if (!/^[0-9A-Za-z_.-]{1,64}$/.test(schedule))
      read.bad('schedule', 'a schedule name (1-64 letters, digits, "_", "." or "-")');
  }
  const source = read.oneOf('source', INVOKE_SOURCES);
  const record = (RECORD_SOURCES as readonly string[]).includes(source ?? '')
    ? recordOptions(command, source as RecordSourceName, values, read)
    : undefined;
  const stray = RECORD_OPTIONS.find((name) => values.has(name));
  if (record === undefined && stray !== undefined) {
    const owner = RECORD_SOURCES.filter((s) =>
      [...RECORD_FLAGS[s].required, ...RECORD_FLAGS[s].optional].includes(stray),
    );
    throw new UsageError(`--${stray} is for --source ${owner.join(' or --source ')}`, command);
  }
  const method = read.text('method');
  if (method !== undefined && !/^[A-Za-z]+$/.test(method))
    read.bad('method', 'a method name such as GET or POST');
  const path = read.text('path');
  if (path !== undefined && !path.startsWith('/')) read.bad('path', 'a path starting with /');
  return {
    kind: 'invoke',
    options: {
      entry,
      ...optional('eventFile', event),
      ...optional('schedule', schedule),
      ...optional('source', source),
      ...optional('record', record),
      ...optional('method', method?.toUpperCase()),
      ...optional('path', path),
      ...optional(
        'headers',
        read.pairs('header', /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/s, "'name: value'"),
      ),
      ...optional('query', read.pairs('query', /^([^=]+)=?(.*)$/s, 'key=value')),
      ...optional('timeoutMs', timeoutMs),
      ...shared,
    },
    ...optional('body', typeof values.get('body') === 'string' ? (values.get('body') as string) : undefined),
  };
}

/** Reads the command line of `lift` (without node and the script). Throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { kind: 'help', text: helpText() };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first === 'help') {
    const about = rest[0];
    if (about === undefined) return { kind: 'help', text: helpText() };
    if (!(COMMANDS as readonly string[]).includes(about)) throw unknownCommand(about);
    return { kind: 'help', text: helpText(about as Command) };
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    if (first.startsWith('-')) {
      throw new UsageError(
        `unknown option ${first} before the command; the commands are ${COMMANDS.join(', ')}`,
      );
    }
    throw unknownCommand(first);
  }
  return parseCommand(first as Command, rest);
}

function unknownCommand(word: string): UsageError {
  const guess = suggest(word, COMMANDS);
  return new UsageError(
    `unknown command ${JSON.stringify(word)}${guess === undefined ? '' : ` (did you mean ${guess}?)`}; the commands are ${COMMANDS.join(', ')} (lift --help)`,
  );
}

/**
 * The bytes of a `--body` value: `@file` reads a file, `@-` stdin, `@@text` is the text `@text`,
 * anything else is the text itself.
 */
export function readBodyArgument(value: string): string | Uint8Array {
  if (!value.startsWith('@')) return value;
  if (value.startsWith('@@')) return value.slice(1);
  const file = value.slice(1);
  try {
    return new Uint8Array(readFileSync(file === '-' ? 0 : file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the --body file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      'invoke',
    );
  }
}
