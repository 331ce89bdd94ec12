import type { ChatMessage } from '../tokens/chat-message.js';
import type { Usage } from '../usage.js';
import { expectNumberIn, expectObject, invalid, isTokenCount } from '../validate.js';

/** Options of one compression. */
export interface CompressOptions {
  /** The model the conversation is for; picks the tokenizer (`encodingForModel`). */
  readonly model: string;
  /** Budget for the whole result, in tokens counted as {@link countMessagesExact} does. */
  readonly maxTokens: number;
  /**
   * How many of the latest turns stay byte-identical. A turn is a `user` message and everything
   * after it up to the next `user` message.
   * @default 3
   */
  readonly keepRecent?: number;
  /** Indices (into the input) of messages to keep byte-identical. */
  readonly pinned?: readonly number[];
  /**
   * Safety factor for models without a public tokenizer: their counts are o200k_base tokens ×
   * `margin`, rounded up, and the result says `exact: false`. From 1 to 10.
   * @default 1.25
   */
  readonly margin?: number;
  /**
   * Largest share of `maxTokens` the summary block may take (0 disables the summary: older turns
   * are then dropped oldest-first). From 0 to 1.
   * @default 0.5
   */
  readonly summaryMaxShare?: number;
}

/** A compression stage that changed the conversation. */
export type CompressStage = 'lossless' | 'drop' | 'summary' | 'truncate';

/** What {@link compressMessages} returns. */
export interface CompressResult {
  /** The compressed conversation. */
  readonly messages: ChatMessage[];
  /** Tokens of the input (reported units: exact, or the estimate with margin). */
  readonly tokensBefore: number;
  /** Tokens of `messages`, always ≤ `maxTokens`. */
  readonly tokensAfter: number;
  /** Input messages removed without being folded into the summary. */
  readonly dropped: number;
  /** Input messages removed and folded into the summary block. */
  readonly summarized: number;
  /** True when counts come from the model's own tokenizer; false for margin estimates. */
  readonly exact: boolean;
  /** Stages that changed the conversation, in the order they ran. Empty when under budget. */
  readonly stages: CompressStage[];
  /** Usage of the optional LLM summarizer, to charge to the agent. */
  readonly summarizerUsage?: Usage;
}

/** {@link CompressOptions} with every default applied. */
export interface ResolvedCompressOptions {
  readonly model: string;
  readonly maxTokens: number;
  readonly keepRecent: number;
  readonly pinned: ReadonlySet<number>;
  readonly margin: number;
  readonly summaryMaxShare: number;
}

/** Default of {@link CompressOptions.keepRecent}. */
export const DEFAULT_KEEP_RECENT = 3;
/** Default of {@link CompressOptions.margin}. */
export const DEFAULT_ESTIMATE_MARGIN = 1.25;
/** Default of {@link CompressOptions.summaryMaxShare}. */
export const DEFAULT_SUMMARY_MAX_SHARE = 0.5;

const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function expectString(name: string, value: unknown): void {
  if (typeof value !== 'string') invalid(name, 'a string', value);
}

function validateMessage(message: unknown, at: string): void {
  const m = expectObject(at, message);
  if (typeof m['role'] !== 'string' || !ROLES.has(m['role'])) {
    invalid(`${at}.role`, "one of 'system', 'developer', 'user', 'assistant', 'tool'", m['role']);
  }
  expectString(`${at}.content`, m['content']);
  if (m['name'] !== undefined) expectString(`${at}.name`, m['name']);
  if (m['role'] === 'tool') expectString(`${at}.tool_call_id`, m['tool_call_id']);
  else if (m['tool_call_id'] !== undefined)
    invalid(`${at}.tool_call_id`, 'undefined on a non-tool message', m['tool_call_id']);
  const calls = m['tool_calls'];
  if (calls === undefined) return;
  if (m['role'] !== 'assistant')
    invalid(`${at}.tool_calls`, 'undefined on a non-assistant message', calls);
  if (!Array.isArray(calls)) invalid(`${at}.tool_calls`, 'an array', calls);
  calls.forEach((call: unknown, j) => {
    const c = expectObject(`${at}.tool_calls[${j}]`, call);
    expectString(`${at}.tool_calls[${j}].id`, c['id']);
    if (c['type'] !== 'function') invalid(`${at}.tool_calls[${j}].type`, "'function'", c['type']);
    const fn = expectObject(`${at}.tool_calls[${j}].function`, c['function']);
    expectString(`${at}.tool_calls[${j}].function.name`, fn['name']);
    expectString(`${at}.tool_calls[${j}].function.arguments`, fn['arguments']);
  });
}

/**
 * Checks an array of {@link ChatMessage}: known role, string content, string `name`; `tool`
 * messages carry a string `tool_call_id`; only `assistant` messages carry `tool_calls`.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function validateChatMessages(
  messages: unknown,
  name = 'messages',
): asserts messages is readonly ChatMessage[] {
  if (!Array.isArray(messages)) invalid(name, 'an array of chat messages', messages);
  messages.forEach((message: unknown, i) => validateMessage(message, `${name}[${i}]`));
}

/**
 * Checks `options` against `messages` and applies the defaults.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function resolveCompressOptions(
  messages: readonly ChatMessage[],
  options: unknown,
): ResolvedCompressOptions {
  const o = expectObject('options', options);
  const model = o['model'];
  if (typeof model !== 'string' || model.length === 0 || model.length > 256) {
    invalid('model', 'a non-empty string of at most 256 characters', model);
  }
  const maxTokens = o['maxTokens'];
  if (!isTokenCount(maxTokens) || maxTokens === 0)
    invalid('maxTokens', 'a positive safe integer', maxTokens);
  const keepRecent = o['keepRecent'] ?? DEFAULT_KEEP_RECENT;
  if (!isTokenCount(keepRecent)) invalid('keepRecent', 'a non-negative safe integer', keepRecent);
  const pinnedIn = o['pinned'] ?? [];
  if (!Array.isArray(pinnedIn)) invalid('pinned', 'an array of message indices', pinnedIn);
  const pinned = new Set<number>();
  pinnedIn.forEach((index: unknown, j) => {
    if (!isTokenCount(index) || index >= messages.length) {
      invalid(`pinned[${j}]`, `an integer index from 0 to ${messages.length - 1}`, index);
    }
    pinned.add(index);
  });
  const margin = expectNumberIn('margin', o['margin'] ?? DEFAULT_ESTIMATE_MARGIN, 1, 10);
  const summaryMaxShare = expectNumberIn(
    'summaryMaxShare',
    o['summaryMaxShare'] ?? DEFAULT_SUMMARY_MAX_SHARE,
    0,
    1,
  );
  return { model, maxTokens, keepRecent, pinned, margin, summaryMaxShare };
}
