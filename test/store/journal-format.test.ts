import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeJournalLine,
  encodeJournalLine,
  journalCrc32,
  tableJournalCrc32,
} from '../../src/store/journal-format.js';

function decode(line: string) {
  return decodeJournalLine(Buffer.from(line.endsWith('\n') ? line.slice(0, -1) : line, 'utf8'));
}

describe('journal line framing', () => {
  it('computes the standard CRC-32 check value with both implementations', () => {
    expect(journalCrc32('123456789')).toBe(0xcbf43926);
    expect(tableJournalCrc32('123456789')).toBe(0xcbf43926);
  });

  it('continues a CRC from a previous value like zlib', () => {
    const whole = tableJournalCrc32('entry 42 {"t":"grant"}');
    expect(tableJournalCrc32('{"t":"grant"}', tableJournalCrc32('entry 42 '))).toBe(whole);
    expect(journalCrc32('{"t":"grant"}', journalCrc32('entry 42 '))).toBe(whole);
  });

  it('hashes strings as UTF-8 in the table implementation, as zlib does', () => {
    const text = 'é€😀 naïve';
    const crc32 = (zlib as { crc32?: (d: string) => number }).crc32;
    if (crc32 !== undefined) expect(tableJournalCrc32(text)).toBe(crc32(text));
    expect(tableJournalCrc32(text)).toBe(tableJournalCrc32(Buffer.from(text, 'utf8')));
  });

  it('writes number, 8-digit hex CRC and JSON on one newline-terminated line', () => {
    const line = encodeJournalLine(12345, '{"t":"replenish","time":1,"tokens":5}');
    expect(line).toMatch(/^12345 [0-9a-f]{8} \{"t":"replenish","time":1,"tokens":5\}\n$/);
    expect(decode(line)).toEqual({
      ok: true,
      n: 12345,
      value: { t: 'replenish', time: 1, tokens: 5 },
    });
  });

  it('round-trips non-ASCII JSON', () => {
    const json = JSON.stringify({ t: 'stop', time: 3, id: 'agent-ü-😀', reason: 'naïve\nline' });
    expect(decode(encodeJournalLine(7, json))).toEqual({ ok: true, n: 7, value: JSON.parse(json) });
  });

  it('accepts entry number 0 (a snapshot of an empty journal) but no leading zeros', () => {
    expect(decode(encodeJournalLine(0, '{}'))).toMatchObject({ ok: true, n: 0 });
    const line = encodeJournalLine(7, '{}');
    expect(decode(`0${line}`)).toMatchObject({ ok: false, reason: 'no entry number' });
  });

  it('rejects a line whose entry number was altered, though the JSON is intact', () => {
    const line = encodeJournalLine(18, '{"t":"grant","time":1,"id":"a","tokens":9}');
    expect(decode(line.replace(/^18/, '19'))).toMatchObject({
      ok: false,
      n: 19,
      reason: 'checksum mismatch',
    });
  });

  it('rejects a line whose JSON was altered', () => {
    const line = encodeJournalLine(3, '{"t":"grant","time":1,"id":"a","tokens":9}');
    expect(decode(line.replace('"tokens":9', '"tokens":8'))).toMatchObject({
      ok: false,
      reason: 'checksum mismatch',
    });
  });

  it('names what is missing in a malformed line', () => {
    expect(decode('')).toMatchObject({ ok: false, reason: 'no entry number' });
    expect(decode('12')).toMatchObject({ ok: false, reason: 'no entry number' });
    expect(decode('x1 00000000 {}')).toMatchObject({ ok: false, reason: 'no entry number' });
    expect(decode('1 0000 {}')).toMatchObject({ ok: false, n: 1, reason: 'no checksum' });
    expect(decode('1 ZZZZZZZZ {}')).toMatchObject({ ok: false, reason: 'no checksum' });
    expect(decode('1 0000000000 {}')).toMatchObject({ ok: false, reason: 'no checksum' });
    expect(decode('\0\0\0\0\0\0\0\0\0\0\0\0')).toMatchObject({ ok: false });
    expect(decode('1234567890123456 00000000 {}')).toMatchObject({
      ok: false,
      reason: 'no entry number',
    });
  });

  it('reports invalid JSON under a matching checksum as invalid JSON', () => {
    expect(decode(encodeJournalLine(4, '{"t":'))).toMatchObject({
      ok: false,
      n: 4,
      reason: 'invalid JSON',
    });
  });
});
