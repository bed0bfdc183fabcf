import { ConfigurationError } from '../errors/errors.js';

/**
 * The resource name in an ARN: the last `:` field for queues and topics
 * (`arn:aws:sqs:eu-west-1:123:orders` → `orders`), the part after `table/` or `stream/` for
 * DynamoDB and Kinesis (`arn:aws:dynamodb:...:table/kefir/stream/2024-...` → `kefir`).
 * `undefined` for anything that is not an ARN of that shape.
 */
export function nameFromArn(arn: unknown): string | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const fields = arn.split(':');
  if (fields.length < 6) return undefined;
  const resource = fields.slice(5).join(':');
  const typed = /^(?:table|stream|rule)\/(.+)$/.exec(resource);
  if (typed !== null) {
    const rest = typed[1] as string;
    const cut = rest.indexOf('/');
    // A rule on a custom bus is `rule/<bus>/<rule>`; tables and streams keep their first segment.
    if (resource.startsWith('rule/')) return cut === -1 ? rest : rest.slice(rest.lastIndexOf('/') + 1);
    return cut === -1 ? rest : rest.slice(0, cut);
  }
  return resource === '' || resource.includes('/') ? undefined : resource;
}

/** The account and region fields of an ARN, for building service URLs from it. */
export function arnParts(arn: string): { region: string; account: string } | undefined {
  const fields = arn.split(':');
  const region = fields[3];
  const account = fields[4];
  return region && account ? { region, account } : undefined;
}

const GLOB_CHARS = /^[A-Za-z0-9_.*-]+$/;

/**
 * Matches names against a registration's name: an exact name, or a glob where `*` stands for any run
 * of characters (`orders-*`). Only the characters AWS allows in queue, topic, bucket, table and
 * stream names are accepted, so a pattern cannot smuggle regular-expression syntax.
 */
export function nameMatcher(pattern: string, what: string): (name: string) => boolean {
  if (typeof pattern !== 'string' || pattern === '' || !GLOB_CHARS.test(pattern)) {
    throw new ConfigurationError(
      `${what}: the name must be a ${what.split(' ')[0]} name or a glob of one (letters, digits, "_", ".", "-", "*"): ${JSON.stringify(pattern)}`,
    );
  }
  if (!pattern.includes('*')) return (name) => name === pattern;
  const parts = pattern.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1);
  // Linear matching (no regular expression, so no backtracking): anchored ends, then each middle
  // part found in order at its earliest place.
  return (name) => {
    if (name.length < first.length + last.length) return false;
    if (!name.startsWith(first) || !name.endsWith(last)) return false;
    let at = first.length;
    const end = name.length - last.length;
    for (const part of middle) {
      const found = name.indexOf(part, at);
      if (found === -1 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}
