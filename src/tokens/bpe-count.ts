import { DEFAULT_BACKEND, rawCounter } from './tokenizer-backend.js';
import type { RawCounter, TokenizerBackend } from './tokenizer-backend.js';

/** The OpenAI BPE encodings token-kernel counts exactly. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/**
 * Longest pre-token piece, in UTF-8 bytes, handed to the BPE whole. Merging one piece costs
 * O(n²) or worse in its length (js-tiktoken needs 5.6 s for 10,000 letters, 221 s for 50,000), so
 * longer pieces are cut into slices of at most this many bytes: the cost per character is bounded
 * and counting is linear in the length of any input. Only pieces this long are affected (128
 * letters with no break, 42 CJK characters with no punctuation, 128 bytes of whitespace); the
 * count then grows by about one token per slice. Measured growth (bench/tokenize.bench.ts):
 * 0.0024 % on 5 MB of READMEs and `.d.ts` files, 0.004 % on Japanese, 0 % on Chinese and Russian;
 * 64 bytes would cost 0.77 % on Japanese, while longer slices cost more per character (O(n²)).
 */
export const MAX_PIECE_BYTES = 128;

/** Texts are scanned in segments of about this many characters, cut where a piece must start. */
const SEGMENT_CHARS = 16_384;

const CONTRACTIONS = `'s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D`;

/**
 * tiktoken's pre-tokenizer patterns (`pat_str` in `openai_public.py`, identical to the ones
 * js-tiktoken ships; a test guards that). The BPE never merges across the pieces they cut.
 */
export const PIECE_PATTERNS: Readonly<Record<EncodingName, string>> = {
  o200k_base:
    String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(${CONTRACTIONS})?` +
    String.raw`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(${CONTRACTIONS})?` +
    String.raw`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  cl100k_base:
    `(${CONTRACTIONS})` +
    String.raw`|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
};

const pieceRegexes = new Map<EncodingName, RegExp>();

function pieceRegex(encoding: EncodingName): RegExp {
  let regex = pieceRegexes.get(encoding);
  if (regex === undefined) {
    regex = new RegExp(PIECE_PATTERNS[encoding], 'gu');
    pieceRegexes.set(encoding, regex);
  }
  regex.lastIndex = 0;
  return regex;
}

/** `\s` of a Unicode regular expression, without running one. */
function isSpace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * True when `text[i]` starts a piece that may also end a counted segment: a space or tab right
 * after a non-whitespace character. No pattern puts a space or tab after a non-whitespace
 * character in one piece, and a segment that ends on non-whitespace tokenizes exactly as it does
 * inside the whole text (a segment ending in whitespace does not: `\s+(?!\S)` then matches more).
 */
export function isSafeCut(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return (
    i > 0 && i < text.length && (code === 32 || code === 9) && !isSpace(text.charCodeAt(i - 1))
  );
}

/** The first safe cut at or after `from`, or `text.length`. */
export function nextSafeCut(text: string, from: number): number {
  for (let i = Math.max(1, from); i < text.length; i++) if (isSafeCut(text, i)) return i;
  return text.length;
}

/** UTF-8 bytes of one UTF-16 code unit (a surrogate pair is 4 bytes: 2 + 2). */
function utf8Bytes(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
}

/**
 * Whether every piece of `text` is at most `maxBytes` long, judged without the regex. Whitespace
 * other than CR/LF only appears in whitespace-only pieces or as the one leading character (≤ 3
 * bytes) of a piece, so a piece is at most 3 + the longest run free of such whitespace, or the
 * longest whitespace run.
 */
function piecesFit(text: string, maxBytes: number): boolean {
  let solid = 3;
  let blank = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const bytes = utf8Bytes(code);
    if (isSpace(code)) {
      if ((blank += bytes) > maxBytes) return false;
      if (code !== 10 && code !== 13) solid = 3;
      else if ((solid += bytes) > maxBytes) return false;
    } else {
      blank = 0;
      if ((solid += bytes) > maxBytes) return false;
    }
  }
  return true;
}

/** End of the slice of a long piece that starts at `from`: at most `maxBytes`, pairs kept whole. */
function sliceEnd(text: string, from: number, end: number, maxBytes: number): number {
  let bytes = 0;
  let i = from;
  while (i < end) {
    const code = text.charCodeAt(i);
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < end ? 2 : 1;
    bytes += width === 2 ? 4 : utf8Bytes(code);
    if (bytes > maxBytes && i > from) break;
    i += width;
  }
  return i;
}

// Slices of hostile input repeat (one character a megabyte long); js-tiktoken has no cache of
// its own. Bounded by clearing: the cache only ever saves work.
const SLICE_CACHE_ENTRIES = 4_096;
const sliceCaches = new WeakMap<RawCounter, Map<string, number>>();

function countSlice(slice: string, raw: RawCounter): number {
  let cache = sliceCaches.get(raw);
  if (cache === undefined) {
    cache = new Map();
    sliceCaches.set(raw, cache);
  }
  let count = cache.get(slice);
  if (count === undefined) {
    count = raw(slice);
    if (cache.size >= SLICE_CACHE_ENTRIES) cache.clear();
    cache.set(slice, count);
  }
  return count;
}

/**
 * Counts `segment` as the sum over its pieces: a piece of at most `maxBytes` counts as the BPE
 * counts it; a longer one as the sum of its slices. Consecutive short pieces are counted in one
 * library call (same result, fewer calls); that batch runs into the first slice of the long piece
 * that follows, so that the lookahead of its last piece sees the character it saw in the text.
 */
function countSegment(
  segment: string,
  encoding: EncodingName,
  raw: RawCounter,
  maxBytes: number,
  segmentChars: number,
): number {
  if (piecesFit(segment, maxBytes)) return raw(segment);
  const regex = pieceRegex(encoding);
  let total = 0;
  let batchStart = 0;
  for (let match = regex.exec(segment); match !== null; match = regex.exec(segment)) {
    const piece = match[0];
    const start = match.index;
    // Text without safe cuts (minified code, base64) is still counted in bounded calls: any piece
    // boundary after non-whitespace ends a batch exactly.
    if (start - batchStart >= segmentChars && !isSpace(segment.charCodeAt(start - 1))) {
      total += raw(segment.slice(batchStart, start));
      batchStart = start;
    }
    // A piece of n code units has at most 3n bytes; most pieces skip the byte count.
    if (piece.length * 3 <= maxBytes || Buffer.byteLength(piece, 'utf8') <= maxBytes) continue;
    const end = start + piece.length;
    let cut = sliceEnd(segment, start, end, maxBytes);
    total += raw(segment.slice(batchStart, cut));
    while (cut < end) {
      const next = sliceEnd(segment, cut, end, maxBytes);
      total += countSlice(segment.slice(cut, next), raw);
      cut = next;
    }
    batchStart = end;
  }
  if (batchStart < segment.length) total += raw(segment.slice(batchStart));
  return total;
}

/**
 * {@link countText} with an explicit piece limit, library counter and segment length, for tests
 * and benchmarks.
 * @param maxBytes longest piece counted whole, in UTF-8 bytes (≥ 4)
 * @param segmentChars characters after which a cut is sought (≥ 1)
 */
export function countWithPieceLimit(
  text: string,
  encoding: EncodingName,
  raw: RawCounter,
  maxBytes: number,
  segmentChars = SEGMENT_CHARS,
): number {
  let total = 0;
  for (let start = 0; start < text.length;) {
    const end =
      text.length - start <= segmentChars ? text.length : nextSafeCut(text, start + segmentChars);
    total += countSegment(text.slice(start, end), encoding, raw, maxBytes, segmentChars);
    start = end;
  }
  return total;
}

/**
 * Counts the tokens of `text` in `encoding`, in time linear in its length, whatever the text.
 * The count equals the library's whenever no pre-token piece is longer than
 * {@link MAX_PIECE_BYTES} (ordinary prose and code in any language); a longer piece is counted in
 * slices, which adds about one token per slice. Special-token text such as `<|endoftext|>` is
 * counted as ordinary text. Both backends give the same count.
 * @param backend the BPE library to count with
 * @default backend {@link DEFAULT_BACKEND}
 */
export function countText(
  text: string,
  encoding: EncodingName,
  backend: TokenizerBackend = DEFAULT_BACKEND,
): number {
  if (text.length === 0) return 0;
  return countWithPieceLimit(text, encoding, rawCounter(backend, encoding), MAX_PIECE_BYTES);
}
