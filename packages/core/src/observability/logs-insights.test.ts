/** The Logs Insights queries in ops/ may only use fields Lift writes. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REQUEST_KEYS } from './logger.js';

const dir = fileURLToPath(new URL('../../../../ops/logs-insights/', import.meta.url));
const AUDIT_FIELDS = [
  'type',
  'time',
  'requestId',
  'service',
  'userId',
  'tenantId',
  'authMethod',
  'action',
  'resource',
  'outcome',
  'reason',
];
const LOG_FIELDS = [
  'level',
  'message',
  'timestamp',
  'service',
  'error.name',
  'error.message',
  ...REQUEST_KEYS,
  // Added to the access line by the rate limiter when it refuses a request.
  'rate_limit',
];
const KNOWN = new Set([...AUDIT_FIELDS, ...LOG_FIELDS]);
// Logs Insights words that are not fields.
const SYNTAX = new Set([
  'fields',
  'filter',
  'stats',
  'sort',
  'limit',
  'by',
  'as',
  'and',
  'or',
  'not',
  'like',
  'desc',
  'asc',
  'count',
  'pct',
  'bin',
  'ispresent',
  'in',
]);

describe('Logs Insights queries', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.query'));

  it('ship the five the operations need', () => {
    expect(files.sort()).toEqual([
      'dynamodb-errors.query',
      'failed-authentications.query',
      'rate-limit-rejections.query',
      'server-errors-by-route.query',
      'slow-requests.query',
    ]);
  });

  for (const file of files) {
    it(`${file} uses only fields Lift writes`, () => {
      const query = readFileSync(`${dir}${file}`, 'utf8')
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n')
        .replace(/"[^"]*"/g, '')
        .replace(/\/[^/]*\//g, '')
        .replace(/\b\d+[a-z]*\b/g, '');
      const words = query.match(/[A-Za-z_@][A-Za-z0-9_.@]*/g) ?? [];
      const fields = words.filter((w) => !SYNTAX.has(w) && !w.startsWith('@') && !/^\d/.test(w));
      const aliases = new Set([...query.matchAll(/ as ([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
      for (const field of fields)
        if (!aliases.has(field)) expect(KNOWN, `${file}: ${field}`).toContain(field);
    });
  }
});
