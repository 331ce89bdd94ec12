import type { ChatMessage } from '../tokens/chat-message.js';
import type { CompressOptions, CompressResult } from './compress-options.js';
import { planCompression } from './compression-plan.js';

/**
 * Compresses a conversation to at most `maxTokens` tokens (exact count for OpenAI encodings;
 * o200k_base × `margin` otherwise, with `exact: false`). Stages, each only while still over
 * budget: `lossless` (a tool output repeated later becomes a reference; huge outputs keep head
 * and tail), `drop` (acknowledgements and empty messages), `summary` (the oldest unprotected
 * turns become one extractive summary block, a `system` message starting with
 * "[Summary of earlier conversation]" right after the system prompt; an earlier block is
 * re-summarized, never nested), `truncate` (the summary cut at an exact token count, then the
 * oldest unprotected messages removed).
 *
 * Guarantees: `tokensAfter ≤ maxTokens`; the system prompt (leading system/developer messages),
 * the last user message, the last `keepRecent` turns and the pinned messages are returned
 * byte-identical and in order; an assistant message with `tool_calls` and its `tool` results are
 * kept or removed together; a conversation already within budget is returned unchanged. Pure,
 * synchronous and deterministic (the summarize worker runs it).
 * @throws KernelError `INVALID_ARGUMENT` for an invalid conversation or options;
 * `BUDGET_EXCEEDED` (`details.protectedTokens`) when the messages that must stay exceed
 * `maxTokens` on their own
 * @example
 * const { messages, tokensAfter } = compressMessages(history, { model: 'gpt-4o', maxTokens: 8_000 });
 */
export function compressMessages(
  messages: readonly ChatMessage[],
  options: CompressOptions,
): CompressResult {
  const plan = planCompression(messages, options);
  return plan.kind === 'done' ? plan.result : plan.finish();
}
