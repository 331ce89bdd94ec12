import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeJournalLine,
  encodeJournalLine,
  journalCrc32,
  tableJournalCrc32,
} from '../../src/store/journal-format.js';

const jsonValue = fc.jsonValue().map((v) => JSON.stringify(v));
const entryNumber = fc.integer({ min: 1, max: 999_999_999_999_999 });

describe('journal line framing (properties)', () => {
  it('decodes every encoded line to its number and value', () => {
    fc.assert(
      fc.property(entryNumber, jsonValue, (n, json) => {
        const line = Buffer.from(encodeJournalLine(n, json), 'utf8');
        expect(line[line.length - 1]).toBe(0x0a);
        expect(line.subarray(0, -1).includes(0x0a)).toBe(false);
        expect(decodeJournalLine(line.subarray(0, -1))).toEqual({
          ok: true,
          n,
          value: JSON.parse(json),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('detects any single changed byte in a line', () => {
    fc.assert(
      fc.property(
        entryNumber,
        jsonValue,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (n, json, at, flip) => {
          const line = Buffer.from(encodeJournalLine(n, json), 'utf8').subarray(0, -1);
          const damaged = Buffer.from(line);
          const i = at % damaged.length;
          damaged[i] = (damaged[i] as number) ^ flip;
          expect(decodeJournalLine(damaged).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('detects a line cut short anywhere', () => {
    fc.assert(
      fc.property(entryNumber, jsonValue, fc.nat(), (n, json, at) => {
        const line = Buffer.from(encodeJournalLine(n, json), 'utf8').subarray(0, -1);
        const cut = at % line.length;
        expect(decodeJournalLine(line.subarray(0, cut)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('the table CRC agrees with the one in use on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(), (text, seed) => {
        expect(tableJournalCrc32(text, seed >>> 0)).toBe(journalCrc32(text, seed >>> 0));
      }),
      { numRuns: 300 },
    );
  });
});
