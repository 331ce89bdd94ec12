import type { ChatMessage } from '../tokens/chat-message.js';
import { countChatMessages } from '../tokens/count-chat-messages.js';
import { DEFAULT_MARGIN_CALIBRATION } from '../tokens/margin-calibrator.js';
import { encodingForModel } from '../tokens/model-encoding.js';
import type { TokenCount, TokenCounter } from '../tokens/token-counter.js';

/** A synchronous token counter, such as `kernel.tokens` (calibrated margins for estimated models). */
export type InputCounter = Pick<TokenCounter, 'countSync'>;

/**
 * Input tokens of a conversation on `model`, synchronously: with `counter` when given (pass
 * `kernel.tokens` to share its calibrated margins), else OpenAI's chat rule on the model's
 * encoding — exact for OpenAI models; for models without a public tokenizer, the o200k count
 * times the kernel's initial margin (1.25), rounded up.
 */
export function estimateInput(
  messages: readonly ChatMessage[],
  model: string,
  counter?: InputCounter,
): Pick<TokenCount, 'tokens' | 'exact'> {
  if (counter !== undefined) return counter.countSync(messages, model);
  const encoding = encodingForModel(model);
  const base = countChatMessages(messages, encoding ?? 'o200k_base');
  return encoding === undefined
    ? { tokens: Math.ceil(base * DEFAULT_MARGIN_CALIBRATION.initialMargin), exact: false }
    : { tokens: base, exact: true };
}
