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
} from './usage-fields.js';

const EXPECTED =
  'a LangChain usage_metadata object (with `input_tokens` and `output_tokens`) or a message carrying one';

/**
 * Maps LangChain.js `usage_metadata` into the inclusive {@link Usage}: `input_tokens` (includes
 * cache), `input_token_details.cache_read`, `input_token_details.cache_creation`,
 * `output_tokens`, `output_token_details.reasoning`. Accepts the metadata or an `AIMessage`
 * (or chunk) carrying it; read the message, not `llmOutput.tokenUsage`, which is unreliable when
 * streaming. Reasoning reported outside `output_tokens` is detected through `total_tokens`.
 * @throws KernelError `INVALID_ARGUMENT` naming the field (also when a message has no
 *   `usage_metadata`)
 */
export function fromLangChain(usageMetadata: unknown): Usage {
  const u = findUsage(
    usageMetadata,
    ['input_tokens', 'output_tokens'],
    ['usage_metadata'],
    EXPECTED,
  );
  const input = requiredTokens(u, 'input_tokens', 'usage.input_tokens');
  const output = requiredTokens(u, 'output_tokens', 'usage.output_tokens');
  const inputDetails = objectField(u, 'input_token_details', 'usage.input_token_details');
  const read = tokenField(inputDetails, 'cache_read', 'usage.input_token_details.cache_read');
  const write = tokenField(
    inputDetails,
    'cache_creation',
    'usage.input_token_details.cache_creation',
  );
  expectCacheWithin(
    input,
    'usage.input_tokens',
    read,
    write,
    'usage.input_token_details.cache_read + cache_creation',
  );
  const outputDetails = objectField(u, 'output_token_details', 'usage.output_token_details');
  const reasoning = tokenField(outputDetails, 'reasoning', 'usage.output_token_details.reasoning');
  const total = tokenField(u, 'total_tokens', 'usage.total_tokens');
  const inclusive = inclusiveOutput(input, output, reasoning, total);
  expectReasoningWithin(
    inclusive,
    'usage.output_tokens',
    reasoning,
    'usage.output_token_details.reasoning',
  );
  return makeUsage(input, inclusive, read, write, reasoning);
}
