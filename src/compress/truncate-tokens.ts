import { countText, type EncodingName } from '../tokens/bpe-count.js';

/** Which part of a text a cut keeps. */
export type KeepSide = 'head' | 'tail';

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The longest head (or tail) of `text`, cut between characters, whose exact token count is at
 * most `maxTokens`. BPE counts of prefixes are not strictly monotone, so the search only ever
 * accepts a length it has counted: the result always fits. Time is O(k log k) in the kept
 * length k, not in the length of `text` (exponential then binary search).
 */
export function truncateToTokens(
  text: string,
  maxTokens: number,
  encoding: EncodingName,
  keep: KeepSide = 'head',
): string {
  if (maxTokens <= 0 || text.length === 0) return '';
  const piece = (length: number): string =>
    keep === 'head' ? text.slice(0, length) : text.slice(text.length - length);
  const fits = (length: number): boolean => countText(piece(length), encoding) <= maxTokens;
  // Keep surrogate pairs whole at the cut.
  const align = (length: number): number => {
    if (length <= 0 || length >= text.length) return Math.max(0, Math.min(length, text.length));
    const at = keep === 'head' ? length : text.length - length;
    return isLowSurrogate(text.charCodeAt(at)) ? length - 1 : length;
  };
  let good = 0;
  let probe = align(Math.min(text.length, Math.max(16, maxTokens * 4)));
  for (;;) {
    if (!fits(probe)) break;
    good = probe;
    if (probe >= text.length) return text;
    probe = align(Math.min(text.length, probe * 2));
  }
  let bad = probe;
  while (bad - good > 1) {
    const mid = align(good + Math.floor((bad - good) / 2));
    if (mid <= good) break;
    if (fits(mid)) good = mid;
    else bad = mid;
  }
  return piece(good);
}
