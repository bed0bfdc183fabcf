/** Options for a `Set-Cookie` header. Defaults are the safe ones: `Path=/; HttpOnly; Secure; SameSite=Lax`. */
export interface CookieOptions {
  readonly domain?: string;
  readonly path?: string;
  /** Lifetime in seconds; 0 deletes the cookie. */
  readonly maxAge?: number;
  readonly expires?: Date;
  /** Default `true`: scripts cannot read the cookie. */
  readonly httpOnly?: boolean;
  /** Default `true`: sent over HTTPS only. */
  readonly secure?: boolean;
  /** Default `Lax`. `None` requires `secure`. */
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
  readonly partitioned?: boolean;
  readonly priority?: 'Low' | 'Medium' | 'High';
}

// RFC 6265 cookie-name is an RFC 7230 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Attribute values may not carry control characters or `;`, which would start a new attribute.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const SAFE_ATTRIBUTE = /^[^\u0000-\u001f\u007f;]*$/;

function attribute(name: string, value: string): string {
  if (!SAFE_ATTRIBUTE.test(value)) throw new TypeError(`Cookie ${name} contains a forbidden character`);
  return value;
}

/**
 * Serializes one `Set-Cookie` value. The value is percent-encoded, so CR, LF, `;` and `,` can never
 * split the header or add attributes; a bad name or attribute throws (a programming error).
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid cookie name: ${JSON.stringify(name)}`);
  const secure = options.secure ?? true;
  const sameSite = options.sameSite ?? 'Lax';
  const path = options.path ?? '/';
  if (sameSite === 'None' && !secure) throw new TypeError('SameSite=None cookies must be Secure');
  if (name.startsWith('__Secure-') && !secure) throw new TypeError('__Secure- cookies must be Secure');
  if (name.startsWith('__Host-') && (!secure || path !== '/' || options.domain !== undefined)) {
    throw new TypeError('__Host- cookies must be Secure, have Path=/ and no Domain');
  }
  let out = `${name}=${encodeURIComponent(value)}`;
  if (options.domain !== undefined) out += `; Domain=${attribute('domain', options.domain)}`;
  out += `; Path=${attribute('path', path)}`;
  if (options.maxAge !== undefined) {
    if (!Number.isFinite(options.maxAge)) throw new TypeError('Cookie maxAge must be a finite number');
    out += `; Max-Age=${Math.floor(options.maxAge)}`;
  }
  if (options.expires !== undefined) {
    if (Number.isNaN(options.expires.getTime())) throw new TypeError('Cookie expires is an invalid date');
    out += `; Expires=${options.expires.toUTCString()}`;
  }
  if (options.httpOnly ?? true) out += '; HttpOnly';
  if (secure) out += '; Secure';
  out += `; SameSite=${sameSite}`;
  if (options.partitioned === true) out += '; Partitioned';
  if (options.priority !== undefined) out += `; Priority=${options.priority}`;
  return out;
}

/** Parses a `Cookie` header into a prototype-free record; the first value of a repeated name wins. */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (header === undefined || header === '') return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        // A value that is not valid percent-encoding is kept as sent rather than dropped.
      }
    }
    out[name] = value;
  }
  return out;
}
