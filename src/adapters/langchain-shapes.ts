import type { ChatMessage } from '../tokens/chat-message.js';
import { chatMessage } from './chat-messages.js';
import { contentText } from './content-text.js';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Fields)
    : undefined;
}

/** A LangChain message's type (`human`, `ai`, `system`, `tool`, …), however the version exposes it. */
function typeOf(message: Fields): unknown {
  const getType = message['getType'] ?? message['_getType'];
  if (typeof getType === 'function') return (getType as () => unknown).call(message);
  return message['type'] ?? message['role'];
}

/** LangChain messages (`BaseMessage`, any nesting of batches) as the kernel counts them. */
export function langChainMessages(groups: unknown): ChatMessage[] {
  const out: ChatMessage[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const m = fields(value);
    if (m === undefined) return;
    out.push(chatMessage(typeOf(m), [m['content'], m['tool_calls']], { name: m['name'] }));
  };
  visit(groups);
  return out;
}

/**
 * The first `usage_metadata` among an `LLMResult`'s generations (a provider that returns several
 * choices puts the response's usage on each), and the generations' text.
 */
export function langChainResult(output: unknown): { usage: unknown; text: string } {
  let usage: unknown;
  const texts: string[] = [];
  const groups = fields(output)?.['generations'];
  for (const group of Array.isArray(groups) ? groups : []) {
    for (const raw of Array.isArray(group) ? group : []) {
      const generation = fields(raw);
      const message = fields(generation?.['message']);
      usage ??= message?.['usage_metadata'] ?? undefined;
      const text = generation?.['text'];
      texts.push(
        typeof text === 'string' && text.length > 0
          ? text
          : contentText([message?.['content'], message?.['tool_calls']]),
      );
    }
  }
  return { usage, text: texts.filter((t) => t.length > 0).join('\n') };
}

const MAX_TOKEN_FIELDS = [
  'max_tokens',
  'max_completion_tokens',
  'maxTokens',
  'max_output_tokens',
  'maxOutputTokens',
  'num_predict',
];

/** The model a run calls and the output limit it declares, from LangSmith metadata and invocation params. */
export function langChainRunInfo(
  extraParams: unknown,
  metadata: unknown,
): { model: string | undefined; maxOutputTokens: number | undefined } {
  const meta = fields(metadata);
  const params = fields(fields(extraParams)?.['invocation_params']);
  const model = [
    meta?.['ls_model_name'],
    params?.['model'],
    params?.['model_name'],
    params?.['modelName'],
  ].find((m): m is string => typeof m === 'string' && m.length > 0);
  const declared = [meta?.['ls_max_tokens'], ...MAX_TOKEN_FIELDS.map((f) => params?.[f])].find(
    (n): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0,
  );
  return { model, maxOutputTokens: declared };
}

/** True for the errors LangChain and fetch raise on an abort. */
export function isAbortError(error: unknown): boolean {
  const name = fields(error)?.['name'] ?? (error instanceof Error ? error.name : undefined);
  return name === 'AbortError' || name === 'ModelAbortError';
}
