import { describe, expect, it } from 'vitest';
import type { Context, RequestInput } from '../context/context.js';
import type { Middleware } from '../middleware/compose.js';
import type { Group, RouteDefinition } from './group.js';
import { RouteChain } from './route-step.js';

type AnyContext = Context<RequestInput, object>;

/** What the chain touches of a context when every step is synchronous and the handler returns nothing. */
function fakeContext(): AnyContext & { log: string[] } {
  return {
    log: [],
    res: undefined,
    error: undefined,
    empty: (status: number) => ({ status }),
    fail(error: unknown) {
      throw error;
    },
  } as unknown as AnyContext & { log: string[] };
}

const logs =
  (name: string): Middleware<object> =>
  async (ctx, next) => {
    (ctx as unknown as { log: string[] }).log.push(`${name} in`);
    await next();
    (ctx as unknown as { log: string[] }).log.push(`${name} out`);
  };

/** A group whose middleware list counts how often it is read. */
function countingGroup(middleware: Middleware<object>[]): { group: Group<object>; reads: () => number } {
  let reads = 0;
  const group = {
    get middleware() {
      reads++;
      return middleware;
    },
  } as unknown as Group<object>;
  return { group, reads: () => reads };
}

describe('RouteChain', () => {
  it('takes the middleware lists when the app compiles, and composes them once, on first use', () => {
    const app = countingGroup([logs('app')]);
    const definition: RouteDefinition = {
      method: 'GET',
      pattern: '/x',
      options: {},
      handler: () => undefined,
      groups: [app.group],
    };
    const chain = new RouteChain(definition, {});
    // Read once, at compile: a list changed later does not reach the route.
    expect(app.reads()).toBe(1);
    const run = chain.run;
    expect(chain.run).toBe(run);
    expect(app.reads()).toBe(1);
  });

  it('runs group middleware outermost first, then the route own, then the guards and the handler', async () => {
    const definition: RouteDefinition = {
      method: 'GET',
      pattern: '/x',
      options: { middleware: [logs('route')] },
      handler: (ctx) => {
        (ctx as unknown as { log: string[] }).log.push('handler');
      },
      groups: [countingGroup([logs('app')]).group, countingGroup([logs('group')]).group],
    };
    const chain = new RouteChain(definition, {
      rateLimit: async (ctx) => {
        (ctx as unknown as { log: string[] }).log.push('rate limit');
      },
    });
    const ctx = fakeContext();
    await chain.run(ctx);
    expect(ctx.log).toEqual([
      'app in',
      'group in',
      'route in',
      'rate limit',
      'handler',
      'route out',
      'group out',
      'app out',
    ]);
    expect(ctx.res).toEqual({ status: 204 });
  });
});
