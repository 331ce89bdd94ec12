import type { Usage } from '../../usage.js';
import { invalid } from '../../validate.js';
import {
  expectCacheWithin,
  expectReasoningWithin,
  findUsage,
  inclusiveOutput,
  makeUsage,
  objectField,
  tokenField,
  type Fields,
} from './usage-fields.js';

/** Options of {@link fromAISDK}. */
export interface FromAISDKOptions {
  /**
   * AI SDK v5 only: `inputTokens` leaves out `cachedInputTokens` (as `@ai-sdk/anthropic` 2.x
   * reports it), so add them. Detected anyway when the cached count exceeds the input.
   * @default false
   */
  readonly v5CacheExcludedFromInput?: boolean;
}

const EXPECTED =
  'an AI SDK usage object (v5 `{ inputTokens, outputTokens }`, v6/v7 `{ inputTokens: { total, … }, ' +
  'outputTokens: { total, … } }` or `{ inputTokens, inputTokenDetails, … }`)';

/**
 * Maps Vercel AI SDK usage into the inclusive {@link Usage}, detecting the shape:
 * - v6/v7 provider usage (`LanguageModelV3Usage`/`V4`): `inputTokens.{total, noCache,
 *   cacheRead, cacheWrite}`, `outputTokens.{total, text, reasoning}`; a missing total is the sum
 *   of its parts;
 * - v6/v7 result usage (`LanguageModelUsage`): `inputTokens`, `inputTokenDetails.{noCacheTokens,
 *   cacheReadTokens, cacheWriteTokens}`, `outputTokens`, `outputTokenDetails.{textTokens,
 *   reasoningTokens}`;
 * - v5 (`LanguageModelV2Usage`): `inputTokens`, `outputTokens`, `totalTokens`,
 *   `reasoningTokens`, `cachedInputTokens` (no cache writes in v5; reasoning reported outside
 *   the output, as Gemini does, is detected through `totalTokens`).
 *
 * Accepts the usage object or what carries it (a `finish` stream part, a generate result).
 * @throws KernelError `INVALID_ARGUMENT` naming the field, including a total that is undefined
 *   and cannot be derived (settle with an estimate then)
 */
export function fromAISDK(usage: unknown, options: FromAISDKOptions = {}): Usage {
  const u = findUsage(usage, ['inputTokens', 'outputTokens'], ['usage'], EXPECTED);
  const inputTokens = u['inputTokens'];
  const outputTokens = u['outputTokens'];
  if (
    (inputTokens !== null && typeof inputTokens === 'object') ||
    (outputTokens !== null && typeof outputTokens === 'object')
  ) {
    return fromV3(u);
  }
  if (u['inputTokenDetails'] !== undefined || u['outputTokenDetails'] !== undefined) {
    return fromResultUsage(u);
  }
  return fromV2(u, options.v5CacheExcludedFromInput === true);
}

function fromV3(u: Fields): Usage {
  const input = objectField(u, 'inputTokens', 'usage.inputTokens');
  const output = objectField(u, 'outputTokens', 'usage.outputTokens');
  return fromParts(
    V3_PATHS,
    tokenField(input, 'total', 'usage.inputTokens.total'),
    tokenField(input, 'noCache', 'usage.inputTokens.noCache'),
    tokenField(input, 'cacheRead', 'usage.inputTokens.cacheRead'),
    tokenField(input, 'cacheWrite', 'usage.inputTokens.cacheWrite'),
    tokenField(output, 'total', 'usage.outputTokens.total'),
    tokenField(output, 'text', 'usage.outputTokens.text'),
    tokenField(output, 'reasoning', 'usage.outputTokens.reasoning'),
  );
}

function fromResultUsage(u: Fields): Usage {
  const input = objectField(u, 'inputTokenDetails', 'usage.inputTokenDetails');
  const output = objectField(u, 'outputTokenDetails', 'usage.outputTokenDetails');
  return fromParts(
    RESULT_PATHS,
    tokenField(u, 'inputTokens', 'usage.inputTokens'),
    tokenField(input, 'noCacheTokens', 'usage.inputTokenDetails.noCacheTokens'),
    tokenField(input, 'cacheReadTokens', 'usage.inputTokenDetails.cacheReadTokens') ??
      tokenField(u, 'cachedInputTokens', 'usage.cachedInputTokens'),
    tokenField(input, 'cacheWriteTokens', 'usage.inputTokenDetails.cacheWriteTokens'),
    tokenField(u, 'outputTokens', 'usage.outputTokens'),
    tokenField(output, 'textTokens', 'usage.outputTokenDetails.textTokens'),
    tokenField(output, 'reasoningTokens', 'usage.outputTokenDetails.reasoningTokens') ??
      tokenField(u, 'reasoningTokens', 'usage.reasoningTokens'),
  );
}

interface Paths {
  readonly input: string;
  readonly cache: string;
  readonly output: string;
  readonly reasoning: string;
}

const V3_PATHS: Paths = {
  input: 'usage.inputTokens.total',
  cache: 'usage.inputTokens.cacheRead + cacheWrite',
  output: 'usage.outputTokens.total',
  reasoning: 'usage.outputTokens.reasoning',
};

const RESULT_PATHS: Paths = {
  input: 'usage.inputTokens',
  cache: 'usage.inputTokenDetails.cacheReadTokens + cacheWriteTokens',
  output: 'usage.outputTokens',
  reasoning: 'usage.outputTokenDetails.reasoningTokens',
};

function fromParts(
  paths: Paths,
  inputTotal: number | undefined,
  noCache: number | undefined,
  read: number | undefined,
  write: number | undefined,
  outputTotal: number | undefined,
  text: number | undefined,
  reasoning: number | undefined,
): Usage {
  const input =
    inputTotal ?? (noCache === undefined ? undefined : noCache + (read ?? 0) + (write ?? 0));
  if (input === undefined) {
    return invalid(
      paths.input,
      'a non-negative safe integer (or a noCache count to derive it)',
      inputTotal,
    );
  }
  const output = outputTotal ?? (text === undefined ? undefined : text + (reasoning ?? 0));
  if (output === undefined) {
    return invalid(
      paths.output,
      'a non-negative safe integer (or a text count to derive it)',
      outputTotal,
    );
  }
  expectCacheWithin(input, paths.input, read, write, paths.cache);
  expectReasoningWithin(output, paths.output, reasoning, paths.reasoning);
  return makeUsage(input, output, read, write, reasoning);
}

function fromV2(u: Fields, cacheExcluded: boolean): Usage {
  const reported = tokenField(u, 'inputTokens', 'usage.inputTokens');
  const output = tokenField(u, 'outputTokens', 'usage.outputTokens');
  if (reported === undefined) {
    return invalid('usage.inputTokens', 'a non-negative safe integer', u['inputTokens']);
  }
  if (output === undefined) {
    return invalid('usage.outputTokens', 'a non-negative safe integer', u['outputTokens']);
  }
  const read = tokenField(u, 'cachedInputTokens', 'usage.cachedInputTokens');
  const reasoning = tokenField(u, 'reasoningTokens', 'usage.reasoningTokens');
  const total = tokenField(u, 'totalTokens', 'usage.totalTokens');
  // A cached count above the input can only mean the input left it out.
  const input = cacheExcluded || (read ?? 0) > reported ? reported + (read ?? 0) : reported;
  return makeUsage(
    input,
    inclusiveOutput(reported, output, reasoning, total),
    read,
    undefined,
    reasoning,
  );
}
