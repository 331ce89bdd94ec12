import { countText, type EncodingName } from '../tokens/bpe-count.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import { encodingForModel } from '../tokens/model-encoding.js';

/** Tokens OpenAI adds around every chat message (`<|start|>role … <|end|>`). */
export const TOKENS_PER_MESSAGE = 3;
/** Extra token for a message that carries a `name`. */
export const TOKENS_PER_NAME = 1;
/** Tokens that prime the assistant's reply, added once per conversation. */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * Tokens of one message in `encoding` under OpenAI's chat rule: 3 per message, the text of
 * `role`, `content`, `name` (+1), `tool_call_id`, and of each tool call's `id`,
 * `function.name` and `function.arguments`. Keys outside {@link ChatMessage} are not counted.
 * Providers add a small undisclosed framing around tool calls, so counts of tool-call messages
 * are the documented rule, not a byte-exact replica of the provider's bill.
 */
export function countMessageExact(message: ChatMessage, encoding: EncodingName): number {
  let tokens = TOKENS_PER_MESSAGE + countText(message.role, encoding);
  tokens += countText(message.content, encoding);
  if (message.name !== undefined) tokens += countText(message.name, encoding) + TOKENS_PER_NAME;
  if (message.tool_call_id !== undefined) tokens += countText(message.tool_call_id, encoding);
  for (const call of message.tool_calls ?? []) {
    tokens += countText(call.id, encoding);
    tokens += countText(call.function.name, encoding);
    tokens += countText(call.function.arguments, encoding);
  }
  return tokens;
}

/**
 * Tokens of a whole conversation in `encoding`: the sum of {@link countMessageExact} plus
 * {@link REPLY_PRIMING_TOKENS}. This must stay equal to `countChatMessages` in `src/tokens`
 * (same rule: 3 per message, +1 per name, +3 reply priming); the compressor keeps its own copy
 * so that it depends only on `countText`.
 */
export function countMessagesExact(
  messages: readonly ChatMessage[],
  encoding: EncodingName,
): number {
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of messages) tokens += countMessageExact(message, encoding);
  return tokens;
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
