/**
 * OpenTelemetry, when the app has it. Lift never imports `@opentelemetry/api`: it reads the tracer
 * provider the API registers on `globalThis` (under `Symbol.for('opentelemetry.js.api.1')`, shared
 * by every copy of API 1.x) when the OTel SDK or the ADOT Lambda layer sets one up. Apps without
 * OpenTelemetry therefore pay no module resolution at start (a failed `import()` walks every
 * `node_modules` up the tree) and one property read per span site; the provider is looked up at each
 * span, so one registered after the app was created is used from then on. A provider in a Lambda
 * layer works too, which an `import()` from a bundle in /var/task could not resolve. Every span Lift
 * makes (requests, its own AWS calls) goes through here.
 */

/** The part of an OpenTelemetry tracer Lift uses. */
export interface OtelTracer {
  startSpan(name: string, options: { kind: number; attributes: Record<string, unknown> }): OtelSpan;
}

/** The part of an OpenTelemetry span Lift uses. */
export interface OtelSpan {
  setAttribute(key: string, value: unknown): void;
  setStatus(status: { code: number; message?: string }): void;
  end(): void;
}

/** `SpanKind` values of the OpenTelemetry API (fixed by its 1.x contract). */
export const SPAN_KIND = { SERVER: 1, CLIENT: 2 } as const;
/** `SpanStatusCode.ERROR` of the OpenTelemetry API. */
export const SPAN_STATUS_ERROR = 2;

const GLOBAL_API = Symbol.for('opentelemetry.js.api.1');

interface OtelGlobal {
  readonly trace?: { getTracer(name: string): OtelTracer };
}

/** Lift's tracer when a tracer provider is registered now; `undefined` otherwise (nothing loaded). */
export function otelTracer(): OtelTracer | undefined {
  const api = (globalThis as { [GLOBAL_API]?: OtelGlobal })[GLOBAL_API];
  return api?.trace?.getTracer('lift');
}

/** What Lift needs of an AWS SDK v3 client: its middleware stack. */
interface AwsClientLike {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Adds a client span around every command an AWS SDK v3 client sends (`DynamoDB.GetItem`), with the
 * OpenTelemetry semantic attributes for AWS calls; a failed call marks the span as an error with the
 * AWS error name (never its message, which can quote request data). Without a registered tracer
 * provider, the middleware passes calls straight through. Returns the client.
 */
export function instrumentAwsClient<C>(client: C): C {
  const stack = (client as unknown as AwsClientLike).middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const tracer = otelTracer();
      if (tracer === undefined) return next(args);
      const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
      const method = (context.commandName ?? 'Command').replace(/Command$/, '');
      const span = tracer.startSpan(`${service}.${method}`, {
        kind: SPAN_KIND.CLIENT,
        attributes: { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method },
      });
      try {
        return await next(args);
      } catch (error) {
        const name = (error as { name?: unknown } | null)?.name;
        span.setAttribute('error.type', typeof name === 'string' ? name : 'Error');
        span.setStatus({ code: SPAN_STATUS_ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
    { step: 'initialize', name: 'liftOtelSpan', override: true },
  );
  return client;
}
