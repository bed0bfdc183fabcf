import { trace } from '@opentelemetry/api';

/** A span as the capturing tracer saw it. */
export interface CapturedSpan {
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: number;
  ended: boolean;
}

/**
 * Registers a global tracer provider that records every span Lift starts, and returns the list it
 * fills. Call {@link stopCapturingSpans} afterwards.
 */
export function captureSpans(): CapturedSpan[] {
  const spans: CapturedSpan[] = [];
  // The API keeps the first provider registered; drop any earlier one so this one takes effect.
  trace.disable();
  trace.setGlobalTracerProvider({
    getTracer: () =>
      ({
        startSpan: (name: string, options: { kind: number; attributes: Record<string, unknown> }) => {
          const span: CapturedSpan = {
            name,
            kind: options.kind,
            attributes: { ...options.attributes },
            ended: false,
          };
          spans.push(span);
          return {
            setAttribute: (k: string, v: unknown) => void (span.attributes[k] = v),
            setStatus: (s: { code: number }) => void (span.status = s.code),
            end: () => void (span.ended = true),
          };
        },
      }) as never,
  });
  return spans;
}

/** Removes the capturing provider again. */
export function stopCapturingSpans(): void {
  trace.disable();
}
