import type { ChatMessage, ToolCall } from '../tokens/chat-message.js';
import { contentText, safeJson } from './content-text.js';

const ROLES: Readonly<Record<string, ChatMessage['role']>> = {
  system: 'system',
  developer: 'developer',
  user: 'user',
  human: 'user',
  generic: 'user',
  assistant: 'assistant',
  ai: 'assistant',
  model: 'assistant',
  tool: 'tool',
  function: 'tool',
};

/** A provider role in the kernel's vocabulary (unknown roles count as `user`). */
export function roleOf(role: unknown): ChatMessage['role'] {
  return (typeof role === 'string' ? ROLES[role] : undefined) ?? 'user';
}

/** A chat message for counting: role, content text, and the optional fields that are strings. */
export function chatMessage(
  role: unknown,
  content: unknown,
  extra: { name?: unknown; toolCallId?: unknown; toolCalls?: readonly ToolCall[] } = {},
): ChatMessage {
  return {
    role: roleOf(role),
    content: contentText(content),
    ...(typeof extra.name === 'string' && { name: extra.name }),
    ...(typeof extra.toolCallId === 'string' && { tool_call_id: extra.toolCallId }),
    ...(extra.toolCalls !== undefined &&
      extra.toolCalls.length > 0 && { tool_calls: extra.toolCalls }),
  };
}

/** Tool definitions count as input: one system message holding their JSON, when there are any. */
export function toolsMessage(tools: unknown): ChatMessage[] {
  if (tools === undefined || tools === null) return [];
  if (Array.isArray(tools) && tools.length === 0) return [];
  return [{ role: 'system', content: safeJson(tools) }];
}

/** A function tool call `{ id, function: { name, arguments } }` when its fields are strings. */
export function functionCall(id: unknown, name: unknown, args: unknown): ToolCall | undefined {
  if (typeof id !== 'string' || typeof name !== 'string') return undefined;
  return {
    id,
    type: 'function',
    function: { name, arguments: typeof args === 'string' ? args : safeJson(args ?? {}) },
  };
}
