import { countText } from './bpe-count.js';
import type { EncodingName } from './bpe-count.js';
import type { ChatMessage } from './chat-message.js';
import type { TokenizerBackend } from './tokenizer-backend.js';

/** Tokens OpenAI adds around every chat message (`<|start|>{role}<|message|>…<|end|>`). */
export const TOKENS_PER_MESSAGE = 3;
/** Extra token for a message that carries a `name`. */
export const TOKENS_PER_NAME = 1;
/** Tokens that prime the assistant's reply (`<|start|>assistant<|message|>`), once per request. */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * The strings of one message that are counted as text, in order: `role`, `content`, `name`,
 * `tool_call_id`, then each tool call's `id`, `function.name` and `function.arguments` (the JSON
 * string the model produced). Keys outside {@link ChatMessage} are not counted.
 */
export function messageTexts(message: ChatMessage): string[] {
  const texts = [message.role, message.content];
  if (message.name !== undefined) texts.push(message.name);
  if (message.tool_call_id !== undefined) texts.push(message.tool_call_id);
  for (const call of message.tool_calls ?? []) {
    texts.push(call.id, call.function.name, call.function.arguments);
  }
  return texts;
}

/** The fixed tokens of a conversation, beyond its texts: per message, per name, reply priming. */
export function chatOverhead(messages: readonly ChatMessage[]): number {
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    tokens += TOKENS_PER_MESSAGE + (message.name === undefined ? 0 : TOKENS_PER_NAME);
  }
  return tokens;
}

/**
 * Exact prompt tokens of a chat request in `encoding`, by OpenAI's published rule (the cookbook's
 * `num_tokens_from_messages`, checked there against the API: 129 tokens on gpt-4, 124 on gpt-4o
 * for its example): 3 tokens per message, the tokens of each of its texts (see
 * {@link messageTexts}), 1 more per `name`, and 3 for the reply priming. Tool calls are counted
 * through their texts (`id`, function name, `arguments` JSON); OpenAI adds a few undisclosed
 * framing tokens around tool calls and tool definitions, which this rule does not know. The same
 * rule as the compressor's `countMessagesExact`.
 * @param backend BPE library to count with (identical counts)
 * @default backend gpt-tokenizer
 */
export function countChatMessages(
  messages: readonly ChatMessage[],
  encoding: EncodingName,
  backend?: TokenizerBackend,
): number {
  let tokens = chatOverhead(messages);
  for (const message of messages) {
    for (const text of messageTexts(message)) tokens += countText(text, encoding, backend);
  }
  return tokens;
}
