import { countText, type EncodingName } from '../tokens/bpe-count.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import { encodingForModel } from '../tokens/model-encoding.js';
import {
  countChatMessages,
  messageTexts,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_NAME,
} from '../tokens/count-chat-messages.js';

// One counting rule for the whole project: the compressor counts exactly as `kernel.tokens` does.
export {
  TOKENS_PER_MESSAGE,
  TOKENS_PER_NAME,
  REPLY_PRIMING_TOKENS,
} from '../tokens/count-chat-messages.js';

/** Tokens of one message with its chat overhead (the reply priming is counted once, apart). */
export function countMessageExact(message: ChatMessage, encoding: EncodingName): number {
  let tokens = TOKENS_PER_MESSAGE + (message.name === undefined ? 0 : TOKENS_PER_NAME);
  for (const text of messageTexts(message)) tokens += countText(text, encoding);
  return tokens;
}

/** Tokens of a conversation, as OpenAI bills it: {@link countChatMessages}. */
export function countMessagesExact(
  messages: readonly ChatMessage[],
  encoding: EncodingName,
): number {
  return countChatMessages(messages, encoding);
}

/**
 * How the compressor counts for one model. Counting is additive in "raw" tokens (exact BPE
 * tokens of the model's encoding, or o200k_base tokens for models without a public tokenizer);
 * `report` turns a raw total into the figure the caller sees (`ceil(raw × margin)` for
 * estimates), and `rawBudget` is the largest raw total whose report is within a budget.
 */
export interface MessageCounter {
  readonly encoding: EncodingName;
  /** True when `encoding` is the model's own tokenizer and `margin` is not applied. */
  readonly exact: boolean;
  /** Raw tokens of one message, including its per-message overhead. */
  message(message: ChatMessage): number;
  /** Raw tokens of a text. */
  text(text: string): number;
  /** The reported count of a raw conversation total. */
  report(raw: number): number;
  /** The largest raw conversation total whose reported count is ≤ `budget`. */
  rawBudget(budget: number): number;
}

/**
 * A counter for `model`: exact for OpenAI encodings; for models without a public tokenizer,
 * o200k_base counts multiplied by `margin` and rounded up.
 * @param margin safety factor for estimates, ≥ 1 (ignored for exact models)
 */
export function createMessageCounter(model: string, margin: number): MessageCounter {
  const known = encodingForModel(model);
  const encoding: EncodingName = known ?? 'o200k_base';
  const exact = known !== undefined;
  const report = exact ? (raw: number) => raw : (raw: number) => Math.ceil(raw * margin);
  return {
    encoding,
    exact,
    message: (message) => countMessageExact(message, encoding),
    text: (text) => countText(text, encoding),
    report,
    rawBudget(budget) {
      if (exact) return budget;
      // Floating-point division can land one off either way; settle it against `report` itself.
      let raw = Math.floor(budget / margin);
      while (report(raw + 1) <= budget) raw++;
      while (raw > 0 && report(raw) > budget) raw--;
      return raw;
    },
  };
}
