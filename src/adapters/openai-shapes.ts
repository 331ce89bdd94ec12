import type { ChatMessage, ToolCall } from '../tokens/chat-message.js';
import { chatMessage, functionCall, toolsMessage } from './chat-messages.js';
import { contentText } from './content-text.js';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Fields)
    : undefined;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Chat Completions `messages` (and `tools`) as the kernel counts them. */
export function openAIChatMessages(messages: unknown, tools: unknown): ChatMessage[] {
  const out = toolsMessage(tools);
  for (const item of list(messages)) {
    const m = fields(item);
    if (m === undefined) continue;
    const calls: ToolCall[] = [];
    const extraText: string[] = [];
    for (const raw of list(m['tool_calls'])) {
      const call = fields(raw);
      const fn = fields(call?.['function']);
      const parsed = functionCall(call?.['id'], fn?.['name'], fn?.['arguments']);
      if (parsed !== undefined) calls.push(parsed);
      else if (call !== undefined) extraText.push(contentText(call['custom'] ?? call));
    }
    const legacy = fields(m['function_call']);
    if (legacy !== undefined) extraText.push(contentText(legacy));
    const content = [m['content'], m['refusal'], ...extraText];
    out.push(
      chatMessage(m['role'], content, {
        name: m['name'],
        toolCallId: m['tool_call_id'],
        toolCalls: calls,
      }),
    );
  }
  return out;
}

/** Responses API `instructions` + `input` (and `tools`) as the kernel counts them. */
export function openAIResponsesMessages(body: Fields): ChatMessage[] {
  const out = toolsMessage(body['tools']);
  if (typeof body['instructions'] === 'string')
    out.push(chatMessage('system', body['instructions']));
  const input = body['input'];
  if (typeof input === 'string') {
    out.push(chatMessage('user', input));
    return out;
  }
  for (const raw of list(input)) {
    const item = fields(raw);
    if (item === undefined) continue;
    const type = item['type'];
    if (typeof item['role'] === 'string') out.push(chatMessage(item['role'], item['content']));
    else if (type === 'function_call_output' || type === 'custom_tool_call_output')
      out.push(chatMessage('tool', item['output']));
    else out.push(chatMessage('assistant', item));
  }
  return out;
}

/** The text of a chat completion's choices: content, refusals, tool names and arguments. */
export function openAIChatText(completion: unknown): string {
  const parts: string[] = [];
  for (const raw of list(fields(completion)?.['choices'])) {
    const message = fields(fields(raw)?.['message']);
    if (message === undefined) continue;
    parts.push(contentText([message['content'], message['refusal']]));
    for (const call of list(message['tool_calls'])) parts.push(contentText(call));
  }
  return parts.filter((p) => p.length > 0).join('\n');
}

/** The text of a Responses API response's output items. */
export function openAIResponseText(response: unknown): string {
  return contentText(fields(response)?.['output']);
}

/**
 * A chat completion's finish reason for cacheability: the first choice's reason, unless another
 * choice was cut off or filtered (one bad choice makes the whole answer uncacheable).
 */
export function openAIChatFinish(completion: unknown): string | undefined {
  let first: string | undefined;
  for (const raw of list(fields(completion)?.['choices'])) {
    const reason = fields(raw)?.['finish_reason'];
    if (typeof reason !== 'string') continue;
    first ??= reason;
    if (reason !== 'stop' && reason !== 'tool_calls' && reason !== 'function_call') return reason;
  }
  return first;
}

/** A Responses API finish reason: `stop` when completed, else why it is incomplete or failed. */
export function openAIResponseFinish(response: unknown): string | undefined {
  const r = fields(response);
  const status = r?.['status'];
  if (status === 'completed') return 'stop';
  const reason = fields(r?.['incomplete_details'])?.['reason'];
  if (reason === 'max_output_tokens') return 'length';
  if (typeof reason === 'string') return reason;
  if (status === 'failed' || status === 'cancelled') return 'error';
  return typeof status === 'string' ? status : undefined;
}
