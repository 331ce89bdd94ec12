import type { ChatMessage } from '../tokens/chat-message.js';
import { chatMessage, toolsMessage } from './chat-messages.js';

/**
 * An AI SDK prompt (`LanguageModelV3Prompt`/`V4`: system, user, assistant and tool messages with
 * text, file, reasoning, tool-call and tool-result parts) and its tools, as the kernel counts them.
 */
export function aiSdkMessages(prompt: unknown, tools: unknown): ChatMessage[] {
  const out = toolsMessage(tools);
  for (const raw of Array.isArray(prompt) ? prompt : []) {
    if (raw === null || typeof raw !== 'object') continue;
    const m = raw as Readonly<Record<string, unknown>>;
    out.push(chatMessage(m['role'], m['content']));
  }
  return out;
}

/** The unified finish reason of a v3/v4 result (`{ unified, raw }`) or a v2 string. */
export function aiSdkFinish(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason;
  if (reason !== null && typeof reason === 'object') {
    const unified = (reason as Readonly<Record<string, unknown>>)['unified'];
    if (typeof unified === 'string') return unified;
  }
  return undefined;
}
