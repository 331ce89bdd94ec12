import type { Usage } from '../usage.js';
import { validateUsage } from '../usage.js';
import { expectId, expectNumberIn, expectTokens, invalid } from '../validate.js';

/** A span attribute value: what OpenTelemetry accepts for a scalar attribute. */
export type SpanAttributeValue = string | number | boolean;

/** Plain span attributes, keyed by their full dotted names. */
export type SpanAttributes = Record<string, SpanAttributeValue>;

/** What is known about a governed call before it runs: the request side of its span. */
export interface CallSpanStart {
  /** `gen_ai.operation.name`: `chat`, `text_completion`, `embeddings`, `generate_content`, … */
  readonly operation: string;
  /** `gen_ai.provider.name`: `openai`, `anthropic`, `aws.bedrock`, … Omitted when unknown. */
  readonly provider?: string;
  /** `gen_ai.request.model`: the model the call asks for. */
  readonly model: string;
  /** `gen_ai.agent.id`: the governed agent's id. */
  readonly agentId: string;
}

/** What a governed call turned out to cost: the response side of its span. */
export interface CallOutcome {
  /**
   * Usage in the inclusive convention (input includes cache reads and writes, output includes
   * reasoning). For a cache hit, the usage of the cached response: it is reported as saved, not
   * as consumed.
   */
  readonly usage: Usage;
  /** What the call cost, integer nano-USD (0 for a cache hit). */
  readonly costNano: number;
  /** True when the response came from the kernel's response cache (no provider call). */
  readonly cached: boolean;
  /** Tokens the cache saved. @default for a hit, `usage.inputTokens + usage.outputTokens`; else 0 */
  readonly tokensSaved?: number;
  /** What the cache saved at list price, integer nano-USD. Omitted when unknown. */
  readonly costSavedNano?: number;
  /** The agent's budget utilization after the call (used ÷ total; above 1 on overshoot). */
  readonly utilization?: number;
  /** Compressed ÷ original input tokens (1 = nothing removed, 0.4 = 60 % removed). */
  readonly compressionRatio?: number;
  /** `gen_ai.response.model`: the model that actually answered, when the provider says so. */
  readonly responseModel?: string;
}

/** Everything {@link genAiSpanAttributes} describes: one governed call, request and outcome. */
export type GenAiCallInput = CallSpanStart & CallOutcome;

/**
 * Attribute names. The `gen_ai.*` ones follow the OpenTelemetry GenAI semantic conventions
 * (written as strings: the constants in `@opentelemetry/semantic-conventions` are marked
 * deprecated). No cost attribute is standard yet, so cost, budget, cache and compression live
 * under `token_kernel.*`.
 */
export const CALL_ATTRIBUTE = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  agentId: 'gen_ai.agent.id',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheWriteTokens: 'gen_ai.usage.cache_creation.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
  costUsd: 'token_kernel.cost.usd',
  costNano: 'token_kernel.cost.nano_usd',
  utilization: 'token_kernel.budget.utilization',
  cacheHit: 'token_kernel.cache.hit',
  tokensSaved: 'token_kernel.cache.tokens_saved',
  costSavedUsd: 'token_kernel.cache.cost_saved.usd',
  costSavedNano: 'token_kernel.cache.cost_saved.nano_usd',
  compressionRatio: 'token_kernel.compression.ratio',
  errorType: 'error.type',
} as const;

/**
 * The request-side attributes of a call span.
 * @throws KernelError `INVALID_ARGUMENT` naming the bad field
 */
export function callStartAttributes(start: CallSpanStart): SpanAttributes {
  if (start === null || typeof start !== 'object') invalid('call', 'a call description', start);
  const attributes: SpanAttributes = {
    [CALL_ATTRIBUTE.operation]: expectId('operation', start.operation),
  };
  if (start.provider !== undefined)
    attributes[CALL_ATTRIBUTE.provider] = expectId('provider', start.provider);
  attributes[CALL_ATTRIBUTE.requestModel] = expectId('model', start.model);
  attributes[CALL_ATTRIBUTE.agentId] = expectId('agentId', start.agentId);
  return attributes;
}

/**
 * The outcome-side attributes of a call span: usage, cost, cache and compression. A cache hit
 * consumed no tokens, so its `gen_ai.usage.*` counts are 0 and its usage becomes tokens saved;
 * optional usage fields that are undefined (unknown) are left out rather than reported as 0.
 * @throws KernelError `INVALID_ARGUMENT` naming the bad field
 */
export function callOutcomeAttributes(outcome: CallOutcome): SpanAttributes {
  if (outcome === null || typeof outcome !== 'object')
    invalid('outcome', 'a call outcome', outcome);
  const usage = validateUsage(outcome.usage);
  const costNano = expectTokens('costNano', outcome.costNano);
  if (typeof outcome.cached !== 'boolean') invalid('cached', 'a boolean', outcome.cached);
  const a: SpanAttributes = {};
  if (outcome.responseModel !== undefined)
    a[CALL_ATTRIBUTE.responseModel] = expectId('responseModel', outcome.responseModel);
  if (outcome.cached) {
    a[CALL_ATTRIBUTE.inputTokens] = 0;
    a[CALL_ATTRIBUTE.outputTokens] = 0;
  } else {
    a[CALL_ATTRIBUTE.inputTokens] = usage.inputTokens;
    a[CALL_ATTRIBUTE.outputTokens] = usage.outputTokens;
    if (usage.cacheReadTokens !== undefined)
      a[CALL_ATTRIBUTE.cacheReadTokens] = usage.cacheReadTokens;
    if (usage.cacheWriteTokens !== undefined)
      a[CALL_ATTRIBUTE.cacheWriteTokens] = usage.cacheWriteTokens;
    if (usage.reasoningTokens !== undefined)
      a[CALL_ATTRIBUTE.reasoningTokens] = usage.reasoningTokens;
  }
  a[CALL_ATTRIBUTE.costUsd] = costNano / 1e9;
  a[CALL_ATTRIBUTE.costNano] = costNano;
  a[CALL_ATTRIBUTE.cacheHit] = outcome.cached;
  const saved =
    outcome.tokensSaved !== undefined
      ? expectTokens('tokensSaved', outcome.tokensSaved)
      : outcome.cached
        ? usage.inputTokens + usage.outputTokens
        : 0;
  a[CALL_ATTRIBUTE.tokensSaved] = saved;
  if (outcome.costSavedNano !== undefined) {
    const savedNano = expectTokens('costSavedNano', outcome.costSavedNano);
    a[CALL_ATTRIBUTE.costSavedUsd] = savedNano / 1e9;
    a[CALL_ATTRIBUTE.costSavedNano] = savedNano;
  }
  if (outcome.utilization !== undefined)
    a[CALL_ATTRIBUTE.utilization] = expectNumberIn(
      'utilization',
      outcome.utilization,
      0,
      Number.MAX_VALUE,
    );
  if (outcome.compressionRatio !== undefined)
    a[CALL_ATTRIBUTE.compressionRatio] = expectNumberIn(
      'compressionRatio',
      outcome.compressionRatio,
      0,
      Number.MAX_VALUE,
    );
  return a;
}

/**
 * The span attributes of one governed call, as a plain object with the names written out:
 * `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.agent.id`,
 * `gen_ai.usage.{input_tokens, output_tokens, cache_read.input_tokens,
 * cache_creation.input_tokens, reasoning.output_tokens}`, plus `token_kernel.cost.usd` /
 * `.nano_usd`, `token_kernel.budget.utilization`, `token_kernel.cache.{hit, tokens_saved,
 * cost_saved.usd, cost_saved.nano_usd}` and `token_kernel.compression.ratio`.
 * @throws KernelError `INVALID_ARGUMENT` naming the bad field
 * @example
 * span.setAttributes(genAiSpanAttributes({ operation: 'chat', provider: 'openai', model: 'gpt-4o',
 *   agentId: 'researcher', usage: { inputTokens: 1200, outputTokens: 300 }, costNano: 6_000_000, cached: false }));
 */
export function genAiSpanAttributes(input: GenAiCallInput): SpanAttributes {
  return { ...callStartAttributes(input), ...callOutcomeAttributes(input) };
}
