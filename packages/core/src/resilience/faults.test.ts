/**
 * How failures are classified and answered: the errors the AWS SDK and `fetch` really throw, the
 * statuses, codes and `Retry-After` Lift answers them with.
 */
import { describe, expect, it } from 'vitest';
import { GatewayTimeoutError, HttpError } from '../errors/errors.js';
import {
  abortReason,
  DependencyThrottledError,
  DependencyTimeoutError,
  DependencyUnavailableError,
  dependencyError,
  faultOf,
  retryAfterMs,
} from './faults.js';

/** An AWS SDK service error as the DynamoDB client builds it from a `__type` error body. */
function awsError(name: string, status: number, fault: 'client' | 'server'): Error {
  return Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

/** A Node socket error; the SDK's Node handler renames ECONNRESET, EPIPE and ETIMEDOUT `TimeoutError`. */
function socketError(code: string, name = 'Error'): Error {
  return Object.assign(new Error(code), { code, name });
}

describe('faultOf', () => {
  it.each([
    ['ProvisionedThroughputExceededException', 400, 'client', 'throttled'],
    ['ThrottlingException', 400, 'client', 'throttled'],
    ['RequestLimitExceeded', 400, 'client', 'throttled'],
    ['SomethingNew', 429, 'client', 'throttled'],
    ['InternalServerError', 500, 'server', 'unavailable'],
    ['ServiceUnavailable', 503, 'server', 'unavailable'],
    ['ValidationException', 400, 'client', undefined],
    ['ConditionalCheckFailedException', 400, 'client', undefined],
    ['ResourceNotFoundException', 400, 'client', undefined],
  ] as const)('AWS %s (%i) is %s', (name, status, fault, kind) => {
    expect(faultOf(awsError(name, status, fault))).toBe(kind);
  });

  it('reads the throttling trait the SDK sets', () => {
    expect(faultOf(Object.assign(new Error('x'), { $retryable: { throttling: true } }))).toBe('throttled');
  });

  it('a refused or reset connection is an outage, even when the SDK renamed it TimeoutError', () => {
    expect(faultOf(socketError('ECONNREFUSED'))).toBe('unavailable');
    expect(faultOf(socketError('ECONNRESET', 'TimeoutError'))).toBe('unavailable');
    expect(faultOf(socketError('EPIPE', 'TimeoutError'))).toBe('unavailable');
    expect(faultOf(socketError('ENOTFOUND'))).toBe('unavailable');
  });

  it('timeouts: the SDK request and connection timeouts, undici timeouts, cockatiel cancellations', () => {
    expect(faultOf(socketError('ETIMEDOUT', 'TimeoutError'))).toBe('timeout');
    expect(faultOf(Object.assign(new Error('no connection'), { name: 'TimeoutError' }))).toBe('timeout');
    expect(faultOf(socketError('UND_ERR_HEADERS_TIMEOUT'))).toBe('timeout');
    expect(faultOf(Object.assign(new Error('timed out'), { isTaskCancelledError: true }))).toBe('timeout');
  });

  it("fetch's TypeError is classified by its cause", () => {
    const error = new TypeError('fetch failed', { cause: socketError('ECONNREFUSED') });
    expect(faultOf(error)).toBe('unavailable');
  });

  it('an abort is an abort; anything else is not a fault', () => {
    expect(faultOf(new DOMException('stop', 'AbortError'))).toBe('aborted');
    expect(faultOf(new Error('bug'))).toBeUndefined();
    expect(faultOf('text')).toBeUndefined();
    expect(faultOf(null)).toBeUndefined();
  });

  it('stops following causes after a few levels (a cycle cannot loop)', () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(faultOf(a)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 1.5 ', now)).toBe(1500);
    expect(retryAfterMs('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMs('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('the errors faults are answered with', () => {
  it('throttling: 503 DEPENDENCY_THROTTLED with Retry-After rounded up, at least 1', () => {
    const error = new DependencyThrottledError('dynamodb', 2.2);
    expect(error).toBeInstanceOf(HttpError);
    expect([error.status, error.code, error.headers, error.retryAfterSeconds]).toEqual([
      503,
      'DEPENDENCY_THROTTLED',
      { 'retry-after': '3' },
      3,
    ]);
    expect(new DependencyThrottledError('dynamodb', 0).headers).toEqual({ 'retry-after': '1' });
    expect(error.message).not.toContain('dynamodb');
  });

  it('an outage: 503 DEPENDENCY_UNAVAILABLE with Retry-After and a reason', () => {
    const error = new DependencyUnavailableError('payments', 5, { reason: 'circuit-open' });
    expect([error.status, error.code, error.headers, error.reason]).toEqual([
      503,
      'DEPENDENCY_UNAVAILABLE',
      { 'retry-after': '5' },
      'circuit-open',
    ]);
    expect(new DependencyUnavailableError('payments').reason).toBe('failed');
  });

  it('a slow dependency: 504 DEPENDENCY_TIMEOUT, no Retry-After', () => {
    const error = new DependencyTimeoutError('payments');
    expect([error.status, error.code, error.headers]).toEqual([504, 'DEPENDENCY_TIMEOUT', undefined]);
  });

  it('dependencyError maps each fault and keeps the original as the cause', () => {
    const throttle = awsError('ThrottlingException', 400, 'client');
    const mapped = dependencyError(throttle, 'dynamodb', { retryAfterMs: 4000 });
    expect(mapped).toBeInstanceOf(DependencyThrottledError);
    expect((mapped as DependencyThrottledError).headers).toEqual({ 'retry-after': '4' });
    expect((mapped as Error).cause).toBe(throttle);
    expect(dependencyError(awsError('InternalServerError', 500, 'server'), 'd')).toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(dependencyError(socketError('ETIMEDOUT', 'TimeoutError'), 'd')).toBeInstanceOf(
      DependencyTimeoutError,
    );
    const bug = new Error('bug');
    expect(dependencyError(bug, 'd')).toBe(bug);
  });

  it("the request's own abort wins: its reason, whatever the error was", () => {
    const controller = new AbortController();
    const reason = new GatewayTimeoutError();
    controller.abort(reason);
    expect(
      dependencyError(awsError('ThrottlingException', 400, 'client'), 'd', { signal: controller.signal }),
    ).toBe(reason);
    expect(abortReason(controller.signal)).toBe(reason);
  });
});
