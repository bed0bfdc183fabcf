import { isIPv4, isIPv6 } from 'node:net';

/**
 * The rate-limit key of a client IP. IPv4 addresses count alone. IPv6 addresses count by their /64
 * (by default): one subscriber gets a whole /64 or more and can use any address in it, so keying by
 * the full address would give one client 2^64 budgets. IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is the
 * IPv4 address, and every spelling of one IPv6 prefix gives the same key. Anything else (no IP, an
 * unparsable value) shares the key `unknown`: never a budget of its own per spelling.
 */
export function ipKey(ip: string | undefined, ipv6Prefix = 64): string {
  if (ip === undefined) return 'unknown';
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return 'unknown';
  const groups = expandIPv6(ip);
  if (groups === undefined) return 'unknown';
  // ::ffff:a.b.c.d, the IPv4 address as an IPv6 socket reports it.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const kept: string[] = [];
  for (let bit = 0, i = 0; bit < ipv6Prefix; bit += 16, i++) {
    const take = Math.min(16, ipv6Prefix - bit);
    const group = (groups[i] as number) & ((0xffff << (16 - take)) & 0xffff);
    kept.push(group.toString(16));
  }
  return `${kept.join(':')}::/${ipv6Prefix}`;
}

// The eight 16-bit groups of a valid IPv6 address (as `isIPv6` accepts it), zone id dropped.
function expandIPv6(ip: string): number[] | undefined {
  let text = ip.split('%')[0] as string;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = (v4[1] as string).split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.map((g) => Number.parseInt(g, 16));
}
