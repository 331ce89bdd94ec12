import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  MAX_PIECE_BYTES,
  PIECE_PATTERNS,
  countText,
  countWithPieceLimit,
  isSafeCut,
  type EncodingName,
} from '../../src/tokens/bpe-count.js';
import { TOKENIZER_BACKENDS, rawCounter } from '../../src/tokens/tokenizer-backend.js';
import { MIXED_SAMPLES, base64Blob, mixedCorpus, randomLetters } from './corpus.js';

const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

// Published by OpenAI in the tiktoken cookbook ("How to count tokens with tiktoken").
const REFERENCE: ReadonlyArray<readonly [string, number, number]> = [
  ['tiktoken is great!', 6, 6],
  ['antidisestablishmentarianism', 6, 6],
  ['2 + 2 = 4', 7, 7],
  ['お誕生日おめでとう', 8, 9],
];

function longestPieceBytes(text: string, encoding: EncodingName): number {
  let longest = 0;
  for (const [piece] of text.matchAll(new RegExp(PIECE_PATTERNS[encoding], 'gu'))) {
    longest = Math.max(longest, Buffer.byteLength(piece, 'utf8'));
  }
  return longest;
}

describe('countText', () => {
  for (const backend of TOKENIZER_BACKENDS) {
    it(`matches the counts OpenAI publishes, on ${backend}`, () => {
      for (const [text, o200k, cl100k] of REFERENCE) {
        expect(countText(text, 'o200k_base', backend)).toBe(o200k);
        expect(countText(text, 'cl100k_base', backend)).toBe(cl100k);
      }
    });
  }

  it('counts nothing for the empty string', () => {
    expect(countText('', 'o200k_base')).toBe(0);
  });

  it('uses the pre-tokenizer patterns js-tiktoken ships', () => {
    const require = createRequire(import.meta.url);
    for (const encoding of ENCODINGS) {
      const ranks = require(`js-tiktoken/ranks/${encoding}`) as { pat_str: string };
      expect(PIECE_PATTERNS[encoding]).toBe(ranks.pat_str);
    }
  });

  it('equals the library count exactly on ordinary text of every kind, both backends', () => {
    const corpus = mixedCorpus(60_000);
    for (const encoding of ENCODINGS) {
      const library = rawCounter('gpt-tokenizer', encoding)(corpus);
      for (const backend of TOKENIZER_BACKENDS) {
        expect(countText(corpus, encoding, backend)).toBe(library);
      }
      for (const sample of MIXED_SAMPLES) {
        expect(countText(sample, encoding, 'js-tiktoken')).toBe(countText(sample, encoding));
      }
    }
  });

  it('counts special-token text as ordinary text instead of throwing', () => {
    for (const backend of TOKENIZER_BACKENDS) {
      for (const encoding of ENCODINGS) {
        for (const special of ['<|endoftext|>', '<|endofprompt|>', '<|fim_prefix|>']) {
          const inner = special.slice(2, -2);
          // As text, it is the pieces `<|`, the word, `|>`: never the single special token.
          expect(countText(special, encoding, backend)).toBe(
            countText('<|', encoding, backend) +
              countText(inner, encoding, backend) +
              countText('|>', encoding, backend),
          );
          expect(countText(`say ${special} now`, encoding, backend)).toBeGreaterThan(3);
        }
      }
    }
  });

  it('never hands the BPE a piece longer than the limit, whatever the input', () => {
    const hostile = [
      randomLetters(20_000, 1),
      'a'.repeat(100_000),
      ' '.repeat(50_000),
      '\n'.repeat(20_000),
      ' \n'.repeat(20_000),
      './\n'.repeat(20_000),
      `.${'/\n'.repeat(20_000)}`,
      '中'.repeat(30_000),
      '😀'.repeat(20_000),
      '7'.repeat(30_000),
      base64Blob(30_000, 2),
      'x=function(a,b){return a+b};'.repeat(2_000),
      `${'\u3000'.repeat(400)}${'é'.repeat(400)}`,
    ];
    for (const encoding of ENCODINGS) {
      let longest = 0;
      const spy = (text: string): number => {
        longest = Math.max(longest, longestPieceBytes(text, encoding));
        return rawCounter('gpt-tokenizer', encoding)(text);
      };
      for (const text of hostile) countWithPieceLimit(text, encoding, spy, MAX_PIECE_BYTES);
      expect(longest).toBeLessThanOrEqual(MAX_PIECE_BYTES);
      expect(longest).toBeGreaterThan(MAX_PIECE_BYTES / 2);
    }
  });

  it('counts text without safe cuts (base64, minified code) in bounded library calls', () => {
    for (const text of [base64Blob(200_000, 6), 'f(a,b);g[c]={d:e};'.repeat(10_000)]) {
      let longest = 0;
      const spy = (chunk: string): number => {
        longest = Math.max(longest, chunk.length);
        return rawCounter('gpt-tokenizer', 'o200k_base')(chunk);
      };
      expect(countWithPieceLimit(text, 'o200k_base', spy, MAX_PIECE_BYTES)).toBe(
        countText(text, 'o200k_base'),
      );
      expect(longest).toBeLessThan(17_000);
    }
  });

  it('counts sliced pieces as an upper bound of the library count', () => {
    for (const text of [randomLetters(3_000, 3), 'ab'.repeat(2_000), '中文'.repeat(500)]) {
      for (const encoding of ENCODINGS) {
        const library = rawCounter('gpt-tokenizer', encoding)(text);
        const counted = countText(text, encoding);
        expect(counted).toBeGreaterThanOrEqual(library);
        expect(counted).toBeLessThan(library * 1.05);
      }
    }
  });

  it('gives both backends the same count on hostile input', () => {
    for (const text of [randomLetters(4_000, 4), base64Blob(4_000, 5), 'z'.repeat(10_000)]) {
      for (const encoding of ENCODINGS) {
        expect(countText(text, encoding, 'js-tiktoken')).toBe(countText(text, encoding));
      }
    }
  });
});

describe('isSafeCut', () => {
  it('accepts a space or tab after a non-whitespace character only', () => {
    expect(isSafeCut('a b', 1)).toBe(true);
    expect(isSafeCut('a\tb', 1)).toBe(true);
    expect(isSafeCut('a  b', 2)).toBe(false);
    expect(isSafeCut('a\nb', 1)).toBe(false);
    expect(isSafeCut('.\n b', 2)).toBe(false);
    expect(isSafeCut(' b', 0)).toBe(false);
  });
});
