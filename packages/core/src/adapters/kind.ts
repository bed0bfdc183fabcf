/** The HTTP event shapes Lambda delivers: `v2` (HTTP API 2.0, Function URLs), `alb`, `v1` (REST, HTTP API 1.0). */
export type HttpEventKind = 'v2' | 'alb' | 'v1';

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The HTTP event shape of a Lambda payload, from the few keys each shape always has, or `undefined`
 * for anything else: records, and the authorizer and WebSocket payloads that look like requests but
 * are not requests to answer. It checks nothing more (`detectHttpAdapter` checks the fields each
 * shape needs), so a records-only worker tells HTTP apart by the same rules without the adapters.
 */
export function httpEventKind(payload: unknown): HttpEventKind | undefined {
  const event = object(payload);
  if (event === undefined) return undefined;
  const context = object(event.requestContext);
  if (context === undefined) return undefined;
  // The most common shape first. HTTP API Lambda-authorizer payloads use version 2.0 too.
  if (event.version === '2.0')
    return typeof event.type === 'string' && 'routeArn' in event ? undefined : 'v2';
  // REST authorizer payloads carry httpMethod and path, and WebSocket events always say which way
  // the message went; neither is a request to answer. (REST events proxied from a WebSocket
  // integration carry a connectionId too, but they are ordinary requests.)
  if (typeof event.type === 'string' && 'methodArn' in event) return undefined;
  if ('messageDirection' in context || 'connectedAt' in context) return undefined;
  if (object(context.elb) !== undefined) return 'alb';
  return 'httpMethod' in event ? 'v1' : undefined;
}
