import { createRequire } from 'node:module';
import type { EncodingName } from './bpe-count.js';

/** The BPE libraries token-kernel can count with; both give identical counts. */
export type TokenizerBackend = 'gpt-tokenizer' | 'js-tiktoken';

/** Every supported backend, in a stable order. */
export const TOKENIZER_BACKENDS: readonly TokenizerBackend[] = ['gpt-tokenizer', 'js-tiktoken'];

/**
 * The backend used when none is chosen. bench/tokenize.bench.ts measures gpt-tokenizer at 4–6×
 * the throughput of js-tiktoken on a 5 MB corpus (identical counts), loading in a quarter of the
 * time with a quarter of the heap (0.3 s and 15 MB against 1.1 s and 68 MB for o200k_base).
 */
export const DEFAULT_BACKEND: TokenizerBackend = 'gpt-tokenizer';

/** Counts the tokens of one string with a library, special-token text counted as plain text. */
export type RawCounter = (text: string) => number;

interface GptTokenizerModule {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
  setMergeCacheSize(size: number): void;
  clearMergeCache(): void;
}

/**
 * gpt-tokenizer memoizes piece merges in a Map it trims by deleting the oldest key, and Map
 * iteration skips deleted slots: once full (100,000 entries), each insertion scans the holes left
 * by earlier ones, and unique pieces (1 MB of random base64) took 16 s instead of 2. The cache is
 * made unbounded and cleared after every this many counted characters instead: no deletions,
 * memory still bounded.
 */
const GPT_TOKENIZER_CACHE_CHARS = 512 * 1024;

interface JsTiktokenEncoder {
  encode(text: string, allowedSpecial: string[], disallowedSpecial: string[]): number[];
}

interface JsTiktokenLite {
  Tiktoken: new (ranks: unknown) => JsTiktokenEncoder;
}

// Loaded on first use: the ranks cost 20–70 MB of heap and 0.1–0.5 s each, and most processes
// need one encoding on one backend. `require` keeps the load synchronous for `countText`.
const require = createRequire(import.meta.url);
const counters = new Map<string, RawCounter>();

// With an empty disallowed set, both libraries encode `<|endoftext|>` and friends as ordinary
// text instead of throwing: user content must never crash the counter.
const NO_DISALLOWED = { disallowedSpecial: new Set<string>() };
const NONE: string[] = [];

function load(backend: TokenizerBackend, encoding: EncodingName): RawCounter {
  if (backend === 'gpt-tokenizer') {
    const api = require(`gpt-tokenizer/cjs/encoding/${encoding}`) as GptTokenizerModule;
    api.setMergeCacheSize(Number.POSITIVE_INFINITY);
    let sinceClear = 0;
    return (text) => {
      sinceClear += text.length;
      if (sinceClear > GPT_TOKENIZER_CACHE_CHARS) {
        api.clearMergeCache();
        sinceClear = text.length;
      }
      return api.countTokens(text, NO_DISALLOWED);
    };
  }
  const { Tiktoken } = require('js-tiktoken/lite') as JsTiktokenLite;
  const ranks = require(`js-tiktoken/ranks/${encoding}`) as { default?: unknown };
  const encoder = new Tiktoken(ranks.default ?? ranks);
  return (text) => encoder.encode(text, NONE, NONE).length;
}

/**
 * The library's own count for `text`, without any protection against long pieces: use
 * `countText` instead. Exposed for `countText`, the parity tests and the benchmark's baseline.
 * @throws Error from the library when `encoding` or `backend` is not one it knows
 */
export function rawCounter(backend: TokenizerBackend, encoding: EncodingName): RawCounter {
  const key = `${backend}:${encoding}`;
  let counter = counters.get(key);
  if (counter === undefined) {
    counter = load(backend, encoding);
    counters.set(key, counter);
  }
  return counter;
}
