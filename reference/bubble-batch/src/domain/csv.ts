/**
 * CSV as RFC 4180 writes it (CRLF line ends, a field holding a comma, quote, CR or LF quoted, quotes
 * doubled), with cells that a spreadsheet would run as a formula neutralised (OWASP "CSV injection").
 */

/** Characters that make a spreadsheet read a cell as a formula when they come first. */
// The full-width forms too: some spreadsheets fold them to ASCII before deciding.
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/**
 * A cell that would start a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`, which
 * spreadsheets show as text and never evaluate. Applied to every cell written from user data.
 */
export function neutralise(value: string): string {
  return value.length > 0 && FORMULA_START.has(value[0] as string) ? `'${value}` : value;
}

/**
 * One field, quoted when RFC 4180 requires it, and also when it holds a `;`: spreadsheets in locales
 * whose list separator is `;` split an unquoted one, and the text after it would start a new cell
 * that `neutralise` never saw.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = neutralise(String(value));
  return /[",;\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
