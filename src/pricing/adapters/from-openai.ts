import type { Usage } from '../../usage.js';
import {
  expectCacheWithin,
  expectReasoningWithin,
  findUsage,
  inclusiveOutput,
  makeUsage,
  objectField,
  requiredTokens,
  tokenField,
  type Fields,
} from './usage-fields.js';

const EXPECTED =
  'an OpenAI usage object (chat completions `prompt_tokens`/`completion_tokens` or responses ' +
  '`input_tokens`/`output_tokens`)';

/**
 * Maps OpenAI usage into the inclusive {@link Usage}; detects the API by its field names.
 *
 * - Chat completions: `prompt_tokens` (includes cache), `prompt_tokens_details.cached_tokens` →
 *   cache reads (DeepSeek's `prompt_cache_hit_tokens` when absent), `prompt_tokens_details.
 *   cache_write_tokens` → cache writes, `completion_tokens`, `completion_tokens_details.
 *   reasoning_tokens`.
 * - Responses: `input_tokens`, `input_tokens_details.{cached_tokens, cache_write_tokens}`,
 *   `output_tokens`, `output_tokens_details.reasoning_tokens`.
 *
 * Accepts the usage object or what carries it: a completion, the final stream chunk (empty
 * `choices`, sent with `stream_options.include_usage`), a response or a `response.completed`
 * event. When `total_tokens` shows reasoning counted outside the output (xAI), it is added.
 * @throws KernelError `INVALID_ARGUMENT` naming the field (missing, negative, fractional, cache
 *   larger than the prompt, or no usage at all, as in a chunk streamed without `include_usage`)
 */
export function fromOpenAI(usage: unknown): Usage {
  const u = findUsage(
    usage,
    ['prompt_tokens', 'completion_tokens', 'input_tokens', 'output_tokens'],
    ['usage', 'response'],
    EXPECTED,
  );
  return u['prompt_tokens'] !== undefined || u['completion_tokens'] !== undefined
    ? fromChat(u)
    : fromResponses(u);
}

function fromChat(u: Fields): Usage {
  const input = requiredTokens(u, 'prompt_tokens', 'usage.prompt_tokens');
  const output = requiredTokens(u, 'completion_tokens', 'usage.completion_tokens');
  const prompt = objectField(u, 'prompt_tokens_details', 'usage.prompt_tokens_details');
  const read =
    tokenField(prompt, 'cached_tokens', 'usage.prompt_tokens_details.cached_tokens') ??
    tokenField(u, 'prompt_cache_hit_tokens', 'usage.prompt_cache_hit_tokens');
  const write = tokenField(
    prompt,
    'cache_write_tokens',
    'usage.prompt_tokens_details.cache_write_tokens',
  );
  expectCacheWithin(
    input,
    'usage.prompt_tokens',
    read,
    write,
    'usage.prompt_tokens_details.cached_tokens + cache_write_tokens',
  );
  const completion = objectField(u, 'completion_tokens_details', 'usage.completion_tokens_details');
  const reasoning = tokenField(
    completion,
    'reasoning_tokens',
    'usage.completion_tokens_details.reasoning_tokens',
  );
  const total = tokenField(u, 'total_tokens', 'usage.total_tokens');
  const inclusive = inclusiveOutput(input, output, reasoning, total);
  expectReasoningWithin(
    inclusive,
    'usage.completion_tokens',
    reasoning,
    'usage.completion_tokens_details.reasoning_tokens',
  );
  return makeUsage(input, inclusive, read, write, reasoning);
}

function fromResponses(u: Fields): Usage {
  const input = requiredTokens(u, 'input_tokens', 'usage.input_tokens');
  const output = requiredTokens(u, 'output_tokens', 'usage.output_tokens');
  const details = objectField(u, 'input_tokens_details', 'usage.input_tokens_details');
  const read = tokenField(details, 'cached_tokens', 'usage.input_tokens_details.cached_tokens');
  const write = tokenField(
    details,
    'cache_write_tokens',
    'usage.input_tokens_details.cache_write_tokens',
  );
  expectCacheWithin(
    input,
    'usage.input_tokens',
    read,
    write,
    'usage.input_tokens_details.cached_tokens + cache_write_tokens',
  );
  const outputDetails = objectField(u, 'output_tokens_details', 'usage.output_tokens_details');
  const reasoning = tokenField(
    outputDetails,
    'reasoning_tokens',
    'usage.output_tokens_details.reasoning_tokens',
  );
  const total = tokenField(u, 'total_tokens', 'usage.total_tokens');
  const inclusive = inclusiveOutput(input, output, reasoning, total);
  expectReasoningWithin(
    inclusive,
    'usage.output_tokens',
    reasoning,
    'usage.output_tokens_details.reasoning_tokens',
  );
  return makeUsage(input, inclusive, read, write, reasoning);
}
