import type { EncodingName } from './bpe-count.js';
import type { TokenizerBackend } from './tokenizer-backend.js';

/** What the main thread sends `workers/tokenize.worker.ts`: texts to count in one encoding. */
export interface TokenizeTask {
  readonly texts: readonly string[];
  readonly encoding: EncodingName;
  readonly backend: TokenizerBackend;
}

/** What the worker answers: the count of each text of the task, in order. */
export type TokenizeResult = number[];

/** True when `value` is a well-formed answer to a task of `length` texts. */
export function isTokenizeResult(value: unknown, length: number): value is TokenizeResult {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  );
}
