/**
 * OpenTelemetry, when the app has it. `@opentelemetry/api` is loaded by name at run time: bundles do
 * not need it, and apps without it pay one failed import at start and nothing per request. Every
 * span Lift makes (requests, its own AWS calls) goes through here, so there is one loader.
 */

/** The part of `@opentelemetry/api` Lift uses. */
export interface OtelApi {
  trace: { getTracer(name: string): OtelTracer };
  SpanKind: { SERVER: number; CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

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

const OTEL_API = '@opentelemetry/api';
let loaded: OtelApi | undefined;
let loading: Promise<OtelApi | undefined> | undefined;

/** Starts loading the API (once); resolves to it, or `undefined` when it is not installed. */
export function loadOtel(): Promise<OtelApi | undefined> {
  const name: string = OTEL_API;
  loading ??= import(name).then(
    (api: OtelApi) => {
      loaded = api;
      return api;
    },
    () => undefined,
  );
  return loading;
}

/** The API if it has finished loading, for synchronous hooks; `undefined` before or without it. */
export function otelNow(): OtelApi | undefined {
  return loaded;
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
 * AWS error name (never its message, which can quote request data). Without the API, the middleware
 * passes calls straight through. Returns the client.
 */
export function instrumentAwsClient<C>(client: C): C {
  const stack = (client as unknown as AwsClientLike).middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const api = loaded ?? (await loadOtel());
      if (api === undefined) return next(args);
      const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
      const method = (context.commandName ?? 'Command').replace(/Command$/, '');
      const span = api.trace.getTracer('lift').startSpan(`${service}.${method}`, {
        kind: api.SpanKind.CLIENT,
        attributes: { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method },
      });
      try {
        return await next(args);
      } catch (error) {
        const name = (error as { name?: unknown } | null)?.name;
        span.setAttribute('error.type', typeof name === 'string' ? name : 'Error');
        span.setStatus({ code: api.SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
    { step: 'initialize', name: 'liftOtelSpan', override: true },
  );
  return client;
}
