/** The request scope: calls find their request's signal and budget, alone, overlapping and nested. */
import { describe, expect, it } from 'vitest';
import { callSignal, currentScope, type RequestScope, remainingBudgetMs, withRequestScope } from './scope.js';

function scope(budget: number): RequestScope {
  return { signal: new AbortController().signal, budgetMs: () => budget };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('request scope', () => {
  it('outside a request there is no scope, no signal and no deadline', () => {
    expect(currentScope()).toBeUndefined();
    expect(callSignal()).toBeUndefined();
    expect(remainingBudgetMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('a call finds its request after any number of awaits; a given signal wins', async () => {
    const a = scope(1234);
    const given = new AbortController().signal;
    const seen = await withRequestScope(a, async () => {
      await tick();
      await Promise.resolve();
      return [currentScope(), callSignal(), callSignal(given), remainingBudgetMs()];
    });
    expect(seen).toEqual([a, a.signal, given, 1234]);
    expect(withRequestScope(a, () => remainingBudgetMs())).toBe(1234);
  });

  it('overlapping requests each see their own', async () => {
    const scopes = [scope(1), scope(2), scope(3)];
    const seen = await Promise.all(
      scopes.map((s, i) =>
        withRequestScope(s, async () => {
          const found: number[] = [];
          for (let round = 0; round < 3; round++) {
            await new Promise((resolve) => setTimeout(resolve, 3 - i));
            found.push(remainingBudgetMs());
          }
          return found;
        }),
      ),
    );
    expect(seen).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [3, 3, 3],
    ]);
  });

  it('a request started inside another, after the first overlapping one ended, sees itself', async () => {
    const [a, b, c] = [scope(10), scope(20), scope(30)];
    let releaseA: () => void = () => undefined;
    let releaseB: () => void = () => undefined;
    const first = withRequestScope(a, () => new Promise<void>((resolve) => (releaseA = resolve)));
    const second = withRequestScope(b, async () => {
      await new Promise<void>((resolve) => (releaseB = resolve));
      const inner = await withRequestScope(c, async () => {
        await tick();
        return remainingBudgetMs();
      });
      return [inner, remainingBudgetMs()];
    });
    releaseA();
    await first;
    releaseB();
    expect(await second).toEqual([30, 20]);
  });

  it('a thrown error or a rejection ends the scope', async () => {
    expect(() =>
      withRequestScope(scope(1), () => {
        throw new Error('sync');
      }),
    ).toThrow('sync');
    await expect(withRequestScope(scope(1), () => Promise.reject(new Error('async')))).rejects.toThrow(
      'async',
    );
    // With nothing in flight, the next request takes the slot and is found.
    const next = scope(99);
    expect(await withRequestScope(next, async () => currentScope())).toBe(next);
  });
});
