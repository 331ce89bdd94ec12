import type { CallRequest } from '../calls/call-types.js';
import type { ChatMessage } from '../tokens/chat-message.js';

/**
 * The governed-call request of a provider body. Every body parameter stays in it, so the response
 * cache keys on all of them (transport parameters such as `stream` are ignored by the key); the
 * counted `messages` replace the provider's, which are kept under `providerMessages`. A
 * non-numeric `temperature` or `n` (null) is left out.
 */
export function callRequestOf(
  body: Readonly<Record<string, unknown>>,
  fields: {
    readonly model: unknown;
    readonly messages: readonly ChatMessage[];
    readonly maxOutputTokens: number | undefined;
  },
): CallRequest {
  const { temperature, n, messages, ...rest } = body;
  return {
    ...rest,
    ...(fields.model !== undefined && { model: fields.model as string }),
    messages: fields.messages,
    ...(messages !== undefined && { providerMessages: messages }),
    ...(typeof temperature === 'number' && { temperature }),
    ...(typeof n === 'number' && { n }),
    ...(fields.maxOutputTokens !== undefined && { maxOutputTokens: fields.maxOutputTokens }),
  };
}

/** A positive safe integer, or undefined for anything else (null, absent, invalid). */
export function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** A non-negative safe integer, or undefined for anything else (null, absent, invalid). */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
