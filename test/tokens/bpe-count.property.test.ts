import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PIECE_BYTES,
  PIECE_PATTERNS,
  countText,
  countWithPieceLimit,
  type EncodingName,
} from '../../src/tokens/bpe-count.js';
import { planTasks } from '../../src/tokens/task-plan.js';
import { rawCounter } from '../../src/tokens/tokenizer-backend.js';

// Fragments chosen to hit every branch of the pre-tokenizer patterns: letters of each case,
// contractions, digits, punctuation runs with trailing newlines and slashes, every kind of
// whitespace (Unicode spaces included), CJK, combining marks, astral characters.
const FRAGMENTS = [
  'a',
  'b',
  'Z',
  'Hello',
  'WORLD',
  'camelCase',
  "'s",
  "'LL",
  'é',
  'ǅ',
  'e\u0301',
  '1',
  '42',
  '12345',
  '.',
  '/',
  '!?',
  '->',
  '{"',
  '"}',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\n\n',
  ' \n',
  '   ',
  '\u00a0',
  '\u3000',
  '\u2003',
  '中',
  '文字',
  'お',
  '😀',
  '👩‍👧',
  'x/\n/',
  '<|endoftext|>',
  // Long runs, so that pieces over the limit meet every kind of neighbour.
  'aaaaaaaaaaaa',
  'ZZZZZZZZZZ',
  '////////////',
  '!!!!!!!!',
  '            ',
  '\t\t',
  '7777777',
  '\n\n\n\n\n\n',
  '中中中中中中',
  '😀😀😀😀',
];

const text = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength }).map((parts) => parts.join(''));

const encoding = fc.constantFrom<EncodingName>('o200k_base', 'cl100k_base');

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The definition countText implements: each piece counted alone, long ones in byte slices. */
function referenceCount(input: string, enc: EncodingName, maxBytes: number): number {
  const raw = rawCounter('gpt-tokenizer', enc);
  let total = 0;
  for (const [piece] of input.matchAll(new RegExp(PIECE_PATTERNS[enc], 'gu'))) {
    if (byteLength(piece) <= maxBytes) {
      total += raw(piece);
      continue;
    }
    let slice = '';
    for (const char of piece) {
      if (slice.length > 0 && byteLength(slice + char) > maxBytes) {
        total += raw(slice);
        slice = '';
      }
      slice += char;
    }
    total += raw(slice);
  }
  return total;
}

describe('countText (properties)', () => {
  it('is the sum over pre-token pieces, slicing only pieces over the limit', () => {
    fc.assert(
      fc.property(
        text(60),
        encoding,
        fc.integer({ min: 4, max: 24 }),
        fc.integer({ min: 1, max: 80 }),
        (input, enc, maxBytes, segmentChars) => {
          const raw = rawCounter('gpt-tokenizer', enc);
          const expected = referenceCount(input, enc, maxBytes);
          expect(countWithPieceLimit(input, enc, raw, maxBytes)).toBe(expected);
          // Cutting into segments and bounded batches changes nothing.
          expect(countWithPieceLimit(input, enc, raw, maxBytes, segmentChars)).toBe(expected);
        },
      ),
      { numRuns: 500, seed: 20260105 },
    );
  });

  it('equals the library count when no piece exceeds the limit', () => {
    fc.assert(
      fc.property(text(200), encoding, (input, enc) => {
        const pieces = [...input.matchAll(new RegExp(PIECE_PATTERNS[enc], 'gu'))];
        fc.pre(pieces.every(([piece]) => byteLength(piece) <= MAX_PIECE_BYTES));
        expect(countText(input, enc)).toBe(rawCounter('gpt-tokenizer', enc)(input));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('gives identical counts on both backends', () => {
    fc.assert(
      fc.property(text(80), encoding, (input, enc) => {
        expect(countText(input, enc, 'js-tiktoken')).toBe(countText(input, enc, 'gpt-tokenizer'));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('adds up exactly over the chunks a worker plan cuts', () => {
    fc.assert(
      fc.property(
        fc.array(text(120), { minLength: 1, maxLength: 6 }),
        encoding,
        fc.integer({ min: 1, max: 64 }),
        (texts, enc, maxChars) => {
          const sums = texts.map(() => 0);
          for (const task of planTasks(texts, maxChars)) {
            task.texts.forEach((chunk, j) => {
              const owner = task.owners[j] as number;
              sums[owner] = (sums[owner] as number) + countText(chunk, enc);
            });
          }
          expect(sums).toEqual(texts.map((t) => countText(t, enc)));
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });
});
