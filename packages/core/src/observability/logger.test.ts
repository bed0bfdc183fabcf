import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureJsonLines } from '../test-support/capture.js';
import { useProductionObservability } from '../test-support/environment.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { createLogger } from './logger.js';
import { createMasker, maskText } from './masking.js';

useProductionObservability();

const context = {
  ...fakeLambdaContext({ functionName: 'orders-fn', awsRequestId: 'req-1', memoryLimitInMB: 1024 }),
};

beforeEach(() => {
  process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
});
afterEach(() => {
  delete process.env._X_AMZN_TRACE_ID;
  delete process.env.AWS_LAMBDA_LOG_LEVEL;
  delete process.env.POWERTOOLS_LOG_LEVEL;
  vi.restoreAllMocks();
});

describe('golden: the same lines as Powertools Logger', () => {
  it('matches key for key, in order, for info, warn and errors', () => {
    const error = new Error('boom');
    type Log = (message: string, ...extra: (Error | Record<string, unknown>)[]) => void;
    const calls = (log: { info: Log; warn: Log; error: Log }) => {
      log.info('hello', {
        orderId: 'o-1',
        nested: { a: 1, list: [1, 2] },
        empty: '',
        nothing: undefined,
        nil: null,
      });
      log.warn('careful', { count: 3 });
      log.error('failed', error);
      log.error('failed with fields', { error, attempt: 2 });
    };
    const theirs = captureJsonLines(() => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });
      logger.addContext(context);
      calls(logger as never);
    });
    const ours = captureJsonLines(() => {
      const logger = createLogger({ service: 'orders' });
      logger.addContext(context);
      calls(logger);
    });
    expect(ours).toHaveLength(theirs.length);
    ours.forEach((line, i) => {
      const expected = theirs[i] as Record<string, unknown>;
      expect(Object.keys(line)).toEqual(Object.keys(expected));
      expect({ ...line, timestamp: 'T' }).toEqual({ ...expected, timestamp: 'T' });
      expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
    expect(ours[2]).toMatchObject({
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      error: { name: 'Error', message: 'boom' },
    });
  });
});

describe('Lift keys, levels, sampling and the debug buffer', () => {
  it('puts request keys right after the Powertools keys, in a fixed order', () => {
    const lines = captureJsonLines(() => {
      const logger = createLogger({ service: 'orders' });
      logger.addContext(context);
      logger
        .child({ route: '/orders/:id', request_id: 'r-1', custom: 'x', tenant_id: 't1' })
        .info('done', { status: 200, duration_ms: 3 });
    });
    const keys = Object.keys(lines[0] as object);
    expect(keys.slice(keys.indexOf('xray_trace_id') + 1)).toEqual([
      'request_id',
      'tenant_id',
      'route',
      'status',
      'duration_ms',
      'custom',
    ]);
  });

  it("writes the request's W3C trace id after the X-Ray one, and never lets a field shadow a fixed key", () => {
    const lines = captureJsonLines(() => {
      const logger = createLogger({ service: 'orders' });
      logger.addContext(context, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
      logger.info('one', { service: 'spoofed', level: 'DEBUG', orderId: 'o-1' }, { orderId: 'o-2' });
      logger.addContext(undefined);
      logger.info('two');
    });
    const [first, second] = lines as [Record<string, unknown>, Record<string, unknown>];
    const keys = Object.keys(first);
    expect(keys.slice(keys.indexOf('xray_trace_id'))).toEqual(['xray_trace_id', 'trace_id', 'orderId']);
    expect(first).toMatchObject({ service: 'orders', level: 'INFO', orderId: 'o-2' });
    expect(keys.filter((key) => key === 'service')).toHaveLength(1);
    // A new invocation starts without the previous request's trace or Lambda keys.
    expect(second.trace_id).toBeUndefined();
    expect(second.function_name).toBeUndefined();
  });

  it("writes a field object's own keys only, never inherited ones", () => {
    const fields = Object.assign(Object.create({ inherited: 'from the prototype' }), { own: 1 });
    const lines = captureJsonLines(() => createLogger({ service: 's', level: 'INFO' }).info('x', fields));
    expect(lines[0]?.own).toBe(1);
    expect(lines[0]).not.toHaveProperty('inherited');
  });

  it('takes the level from AWS_LAMBDA_LOG_LEVEL over code, and code over POWERTOOLS_LOG_LEVEL', () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    expect(createLogger({ level: 'DEBUG', bufferBelowLevel: false }).enabled('DEBUG')).toBe(true);
    expect(createLogger({ bufferBelowLevel: false }).enabled('WARN')).toBe(false);
    process.env.AWS_LAMBDA_LOG_LEVEL = 'WARN';
    expect(createLogger({ level: 'DEBUG' }).enabled('DEBUG')).toBe(false);
    expect(createLogger({ level: 'DEBUG' }).enabled('WARN')).toBe(true);
  });

  it('samples whole invocations to DEBUG', () => {
    const logger = createLogger({
      level: 'INFO',
      sampleRate: 0.5,
      random: () => 0.1,
      bufferBelowLevel: false,
    });
    logger.addContext(context);
    expect(logger.enabled('DEBUG')).toBe(true);
    const unsampled = createLogger({ level: 'INFO', sampleRate: 0.5, random: () => 0.9 });
    unsampled.addContext(context);
    expect(unsampled.enabled('DEBUG')).toBe(false);
  });

  it('writes the buffered debug lines of an invocation only when an error is logged', () => {
    const lines = captureJsonLines(() => {
      const logger = createLogger({ level: 'INFO' });
      logger.addContext(context);
      logger.debug('step 1');
      logger.info('visible');
      logger.addContext(context);
      logger.debug('step 2');
      logger.debug('step 3');
      logger.error('failed');
    });
    expect(lines.map((l) => l.message)).toEqual(['visible', 'step 2', 'step 3', 'failed']);
  });
});

describe('masking', () => {
  it("masks sensitive keys and values in nested objects and arrays, without touching the caller's object", () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const input = {
      user: {
        email: 'ada.lovelace@example.com',
        password: 'hunter2',
        cards: [{ cardNumber: '4111111111111111' }],
      },
      headers: { Authorization: `Bearer ${jwt}`, 'x-api-key': 'abc' },
      note: `paid with 4111 1111 1111 1111 using ${jwt}`,
      order: 12345678901234,
    };
    const copy = structuredClone(input);
    const masked = createMasker()(input) as typeof input;
    expect(masked.user.password).toBe('***');
    expect(masked.user.cards[0]?.cardNumber).toBe('***');
    expect(masked.user.email).toBe('a***@example.com');
    expect(masked.headers.Authorization).toBe('***');
    expect(masked.headers['x-api-key']).toBe('***');
    expect(masked.note).toBe('paid with ****1111 using ***');
    expect(masked.order).toBe(12345678901234);
    expect(input).toEqual(copy);
  });

  it('masks JWTs, API keys and card numbers in free text, and leaves other numbers alone', () => {
    expect(maskText('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl end')).toBe('token *** end');
    expect(maskText(`key lift_0123456789abcdef_${'A'.repeat(43)} end`)).toBe('key *** end');
    expect(maskText('order 1234567890123 not a card')).toBe('order 1234567890123 not a card');
    expect(maskText('card 5500-0000-0000-0004')).toBe('card ****0004');
  });

  it('leaves ids alone: a UUID with digit runs is not a card number', () => {
    const id = 'c6af9ac6-7b61-1166-9a41-9311deadbeef';
    expect(maskText(id)).toBe(id);
    expect(maskText('ref 2024-1111-0000')).toBe('ref 2024-1111-0000');
  });

  it('masks error messages and stacks, and cuts cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const lines = captureJsonLines(() => {
      createLogger({ service: 's' }).error(
        'charge failed',
        new Error('card 4111 1111 1111 1111 declined for ada@example.com'),
        { cyclic },
      );
    });
    const line = lines[0] as { error: { message: string; stack: string }; cyclic: unknown };
    expect(line.error.message).toBe('card ****1111 declined for a***@example.com');
    expect(line.error.stack).not.toContain('4111 1111');
    expect(line.cyclic).toEqual({ name: 'loop', self: '[Circular]' });
  });

  it('masks what a logger writes, including custom keys', () => {
    const lines = captureJsonLines(() => {
      const logger = createLogger({ service: 's', mask: { keys: ['dateOfBirth'] } });
      logger.info('signup', {
        dateOfBirth: '1990-01-01',
        password: 'x',
        profile: { email: 'bob@example.org' },
      });
    });
    expect(lines[0]).toMatchObject({
      dateOfBirth: '***',
      password: '***',
      profile: { email: 'b***@example.org' },
    });
  });
});

describe('writing lines', () => {
  it("gives a value's toJSON its key, as JSON.stringify does", () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 's', write: (l) => lines.push(l), now: () => 0, mask: false });
    const keyed = { toJSON: (key: string) => `under ${key}` };
    const hidden = { toJSON: () => undefined };
    logger.info('m', { amount: keyed, route: keyed, gone: hidden });
    const parsed = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(parsed.amount).toBe('under amount');
    expect(parsed.route).toBe('under route');
    expect('gone' in parsed).toBe(false);
  });

  it('writes each value as JSON.stringify would, leaving out what JSON leaves out', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 's"vc', write: (l) => lines.push(l), now: () => 0, mask: false });
    logger.addContext(context, { traceId: 'abc', xrayTraceId: '1-x' });
    const fields = {
      quote: 'say "hi"\\',
      control: 'a\u0001\n',
      lone: '\ud800',
      big: 1e21,
      negative: -0,
      infinite: Number.POSITIVE_INFINITY,
      yes: true,
      nested: { a: [1, 'b'] },
      fn: () => 1,
      sym: Symbol('s'),
      'k"ey': 1,
    };
    logger.child({ route: '/r', persistent: 'p' }).info('m\u2028"', fields);
    const line = lines[0] as string;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const { fn: _fn, sym: _sym, ...kept } = fields;
    expect(line).toBe(
      `{"level":"INFO","message":${JSON.stringify('m\u2028"')},"timestamp":"1970-01-01T00:00:00.000Z",${JSON.stringify(
        {
          service: 's"vc',
          cold_start: false,
          function_arn: context.invokedFunctionArn,
          function_memory_size: context.memoryLimitInMB,
          function_name: 'orders-fn',
          function_request_id: 'req-1',
          sampling_rate: 0,
          xray_trace_id: '1-x',
          trace_id: 'abc',
          route: '/r',
          persistent: 'p',
          ...kept,
        },
      ).slice(1)}`,
    );
    expect(parsed.xray_trace_id).toBe('1-x');
  });
});
