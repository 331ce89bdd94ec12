import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** The OpenAI BPE encodings token-kernel counts exactly. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/**
 * Longest run of non-whitespace counted as one piece. BPE merging is superlinear in the length of
 * one pre-token (100,000 repeated letters take seconds), so longer runs are cut into slices of
 * this many characters; a cut can only add tokens (an upper bound), and real text almost never
 * has runs this long.
 */
export const MAX_RUN_CHARS = 400;

/** Texts longer than this are counted in segments cut at word starts. */
const SEGMENT_CHARS = 8_192;

// Special-token text such as `<|endoftext|>` in user content is ordinary text here.
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

function rawCount(text: string, encoding: EncodingName): number {
  return encoding === 'o200k_base'
    ? countO200k(text, ENCODE_OPTIONS)
    : countCl100k(text, ENCODE_OPTIONS);
}

/**
 * Counts the tokens of `text` in `encoding`, in time linear in its length. The text is cut only
 * at a space that follows a non-space character (where the BPE pre-tokenizer starts a new piece
 * anyway), so the count equals the library's for ordinary text; runs without whitespace longer
 * than {@link MAX_RUN_CHARS} are sliced.
 */
export function countText(text: string, encoding: EncodingName): number {
  if (text.length <= SEGMENT_CHARS && !hasLongRun(text)) return rawCount(text, encoding);
  let total = 0;
  let start = 0;
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      runStart = i + 1;
      if (i - start >= SEGMENT_CHARS && i > 0 && !isSpace(text.charCodeAt(i - 1))) {
        total += rawCount(text.slice(start, i), encoding);
        start = i;
      }
    } else if (i - runStart >= MAX_RUN_CHARS) {
      // Never split a surrogate pair.
      const cut = code >= 0xdc00 && code <= 0xdfff ? i - 1 : i;
      total += rawCount(text.slice(start, cut), encoding);
      start = cut;
      runStart = cut;
    }
  }
  if (start < text.length) total += rawCount(text.slice(start), encoding);
  return total;
}

function hasLongRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (isSpace(text.charCodeAt(i))) run = 0;
    else if (++run > MAX_RUN_CHARS) return true;
  }
  return false;
}
