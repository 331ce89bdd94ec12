import type { Usage } from '../../usage.js';
import { invalid } from '../../validate.js';
import {
  expectReasoningWithin,
  findUsage,
  makeUsage,
  objectField,
  requiredTokens,
  tokenField,
  type Fields,
} from './usage-fields.js';

const EXPECTED = 'an Anthropic usage object (with `input_tokens` and `output_tokens`)';
const KEYS = ['input_tokens', 'output_tokens'];
const WRAPPERS = ['usage', 'message'];

/**
 * Maps Anthropic Messages usage into the inclusive {@link Usage}. Anthropic's `input_tokens`
 * counts only the uncached part, so the inclusive input is `input_tokens +
 * cache_read_input_tokens + cache_creation_input_tokens`. Cache writes come from
 * `cache_creation_input_tokens`, else from the `cache_creation` breakdown
 * (`ephemeral_5m_input_tokens + ephemeral_1h_input_tokens`); when both disagree the larger
 * counts. Reasoning comes from `output_tokens_details.thinking_tokens`.
 *
 * Accepts the usage object, a message or a `message_start` event. For a stream, use
 * {@link mergeAnthropicStreamUsage}.
 * @throws KernelError `INVALID_ARGUMENT` naming the field
 */
export function fromAnthropic(usage: unknown): Usage {
  const u = findUsage(usage, KEYS, WRAPPERS, EXPECTED);
  const uncached = requiredTokens(u, 'input_tokens', 'usage.input_tokens');
  const output = requiredTokens(u, 'output_tokens', 'usage.output_tokens');
  const read = tokenField(u, 'cache_read_input_tokens', 'usage.cache_read_input_tokens');
  const write = cacheWrites(u);
  const details = objectField(u, 'output_tokens_details', 'usage.output_tokens_details');
  const reasoning = tokenField(
    details,
    'thinking_tokens',
    'usage.output_tokens_details.thinking_tokens',
  );
  const input = uncached + (read ?? 0) + (write ?? 0);
  if (!Number.isSafeInteger(input)) {
    invalid('usage.input_tokens + cache tokens', 'a safe integer', input);
  }
  expectReasoningWithin(
    output,
    'usage.output_tokens',
    reasoning,
    'usage.output_tokens_details.thinking_tokens',
  );
  return makeUsage(input, output, read, write, reasoning);
}

function cacheWrites(u: Fields): number | undefined {
  const total = tokenField(u, 'cache_creation_input_tokens', 'usage.cache_creation_input_tokens');
  const breakdown = objectField(u, 'cache_creation', 'usage.cache_creation');
  const fiveMinutes = tokenField(
    breakdown,
    'ephemeral_5m_input_tokens',
    'usage.cache_creation.ephemeral_5m_input_tokens',
  );
  const oneHour = tokenField(
    breakdown,
    'ephemeral_1h_input_tokens',
    'usage.cache_creation.ephemeral_1h_input_tokens',
  );
  const parts =
    fiveMinutes === undefined && oneHour === undefined
      ? undefined
      : (fiveMinutes ?? 0) + (oneHour ?? 0);
  if (total === undefined) return parts;
  return parts === undefined ? total : Math.max(total, parts);
}

/**
 * The usage of a streamed Anthropic message: `message_start` carries the input usage (and an
 * early `output_tokens`), each `message_delta` carries cumulative usage whose fields may be null.
 * A non-null delta field wins; the rest come from the start.
 * @param start `message_start` event, its `message`, or `message.usage`
 * @param delta the last `message_delta` event or its `usage`
 * @throws KernelError `INVALID_ARGUMENT` naming the field
 */
export function mergeAnthropicStreamUsage(start: unknown, delta: unknown): Usage {
  const first = findUsage(start, KEYS, WRAPPERS, EXPECTED);
  const last = findUsage(
    delta,
    ['output_tokens'],
    ['usage'],
    'an Anthropic `message_delta` usage object (with `output_tokens`)',
  );
  const merged: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(last)) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return fromAnthropic(merged);
}
