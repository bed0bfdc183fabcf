/** CSV fields: RFC 4180 quoting, and cells a spreadsheet would run as formulas neutralised. */
import { describe, expect, it } from 'vitest';
import { csvField, csvRow, neutralise } from './csv.js';

describe('CSV injection', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1+cmd|/C calc!A0', "'+1+cmd|/C calc!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('%j is written as text: %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('leaves ordinary text alone, formula characters inside a cell too', () => {
    expect(neutralise('kefir = good')).toBe('kefir = good');
    expect(csvField('2026-11-20T08:00:00.000Z')).toBe('2026-11-20T08:00:00.000Z');
    expect(csvField('')).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(true)).toBe('true');
  });
});

describe('RFC 4180', () => {
  it('quotes fields with commas, quotes, CR or LF, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
  });

  it('ends records with CRLF', () => {
    expect(csvRow(['a', 'b,c', undefined])).toBe('a,"b,c",\r\n');
  });

  it('semicolon-locale split: a formula after a ";" stays inside one quoted cell', () => {
    expect(csvField("Kefir;=cmd|' /C calc'!A0")).toBe(`"Kefir;=cmd|' /C calc'!A0"`);
  });

  it('full-width formula characters are neutralised like their ASCII forms', () => {
    expect(csvField('\uFF1DSUM(A1)')).toBe("'\uFF1DSUM(A1)");
    expect(csvField('\uFF20cmd')).toBe("'\uFF20cmd");
  });
});
