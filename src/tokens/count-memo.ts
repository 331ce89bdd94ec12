import * as crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { EncodingName } from './bpe-count.js';

/** Texts up to this many characters are their own key; longer ones are keyed by a SHA-256. */
const INLINE_KEY_CHARS = 48;

/** Bytes charged per entry besides its key: lru-cache's slot arrays, the number, the map entry. */
const ENTRY_OVERHEAD_BYTES = 64;

// `crypto.hash` (one-shot, ~2× faster on short inputs) exists from Node 20.12.
const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64')
    : (text) => crypto.createHash('sha256').update(text).digest('base64');

/** Counters of a {@link CountMemo}. */
export interface CountMemoStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  /** Bytes charged against the memo's bound. */
  readonly bytes: number;
}

/**
 * Token counts of texts, per encoding, keyed by content (SHA-256 beyond 48 characters), in an LRU
 * bounded by bytes. The text itself is not retained. Counts depend only on text and encoding, not
 * on the backend, which gives identical counts.
 */
export class CountMemo {
  readonly #cache: LRUCache<string, number> | undefined;
  #hits = 0;
  #misses = 0;

  /** @param maxBytes bound on the memo's size in bytes; 0 disables memoization */
  constructor(maxBytes: number) {
    this.#cache =
      maxBytes > 0
        ? new LRUCache<string, number>({
            maxSize: maxBytes,
            sizeCalculation: (_count, key) => key.length * 2 + ENTRY_OVERHEAD_BYTES,
          })
        : undefined;
  }

  /** The memo key of `text` in `encoding` (hashes long texts: O(length)). */
  key(text: string, encoding: EncodingName): string {
    const tag = encoding === 'o200k_base' ? 'o' : 'c';
    return text.length <= INLINE_KEY_CHARS ? `${tag}:${text}` : `${tag}#${sha256(text)}`;
  }

  /** The memoized count for `key`, counting a hit or a miss. */
  get(key: string): number | undefined {
    const count = this.#cache?.get(key);
    if (count === undefined) this.#misses++;
    else this.#hits++;
    return count;
  }

  /** Remembers `count` under `key`. */
  set(key: string, count: number): void {
    this.#cache?.set(key, count);
  }

  /** A snapshot of the memo's counters. */
  stats(): CountMemoStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#cache?.size ?? 0,
      bytes: this.#cache?.calculatedSize ?? 0,
    };
  }

  /** Forgets every count (counters are kept). */
  clear(): void {
    this.#cache?.clear();
  }
}
