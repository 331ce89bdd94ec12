import type { ChatMessage } from '../tokens/chat-message.js';
import { chatMessage, toolsMessage } from './chat-messages.js';
import { contentText } from './content-text.js';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Fields)
    : undefined;
}

/**
 * Anthropic Messages `system`, `messages` and `tools` as the kernel counts them: text, thinking,
 * tool names, tool inputs (JSON) and tool results; images and documents are left out.
 */
export function anthropicMessages(body: Fields): ChatMessage[] {
  const out = toolsMessage(body['tools']);
  if (body['system'] !== undefined && body['system'] !== null)
    out.push(chatMessage('system', body['system']));
  const messages = body['messages'];
  for (const raw of Array.isArray(messages) ? messages : []) {
    const m = fields(raw);
    if (m !== undefined) out.push(chatMessage(m['role'], m['content']));
  }
  return out;
}

/** The text of a message's content blocks: text, thinking, tool names and inputs. */
export function anthropicText(message: unknown): string {
  return contentText(fields(message)?.['content']);
}

/** A message's `stop_reason`, when it has one. */
export function anthropicFinish(message: unknown): string | undefined {
  const reason = fields(message)?.['stop_reason'];
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * The request body with the output cap the budget allows. An extended-thinking budget must stay
 * below `max_tokens`, so it is lowered with the cap (never below Anthropic's minimum of 1,024;
 * a cap that small makes the API refuse the request, which cancels the reservation).
 */
export function anthropicBody(
  body: Fields,
  model: string,
  maxTokens: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, model, max_tokens: maxTokens };
  const thinking = fields(body['thinking']);
  const budget = thinking?.['budget_tokens'];
  if (thinking?.['type'] === 'enabled' && typeof budget === 'number' && budget >= maxTokens)
    out['thinking'] = { ...thinking, budget_tokens: Math.max(1_024, maxTokens - 1) };
  return out;
}
