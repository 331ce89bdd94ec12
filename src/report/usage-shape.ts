import { fromAISDK } from '../pricing/adapters/from-ai-sdk.js';
import { fromAnthropic } from '../pricing/adapters/from-anthropic.js';
import { fromLangChain } from '../pricing/adapters/from-langchain.js';
import { fromOpenAI } from '../pricing/adapters/from-openai.js';
import { validateUsage, type Usage } from '../usage.js';
import { invalid } from '../validate.js';

/** Where a record's usage came from, as detected. */
export type UsageFormat =
  'kernel' | 'usage' | 'openai' | 'anthropic' | 'ai-sdk' | 'langchain' | 'otel';

type Fields = Readonly<Record<string, unknown>>;

/** Keys only the Vercel AI SDK's usage objects have (v5 `LanguageModelV2Usage`, v6/v7 result usage). */
const AI_SDK_KEYS = ['totalTokens', 'cachedInputTokens', 'inputTokenDetails', 'outputTokenDetails'];
/** Keys only Anthropic's `usage` has. */
const ANTHROPIC_KEYS = [
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cache_creation',
  'server_tool_use',
  'service_tier',
];

function has(u: Fields, keys: readonly string[]): boolean {
  for (const key of keys) if (u[key] !== undefined) return true;
  return false;
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Names a `provider` field may take, mapped to the adapter that reads its usage. */
function providerFormat(provider: unknown): UsageFormat | undefined {
  if (typeof provider !== 'string') return undefined;
  const p = provider.toLowerCase();
  if (p.startsWith('anthropic') || p === 'aws.bedrock.anthropic') return 'anthropic';
  if (p.startsWith('openai') || p === 'azure.ai.openai' || p === 'azure') return 'openai';
  if (p === 'ai-sdk' || p === 'vercel' || p === 'aisdk') return 'ai-sdk';
  if (p === 'langchain') return 'langchain';
  return undefined;
}

/**
 * Maps a usage object of any supported shape into the inclusive {@link Usage}, through the
 * pricing adapters, detecting the shape by its field names:
 * - `prompt_tokens`/`completion_tokens`: OpenAI chat completions;
 * - `input_tokens`/`output_tokens`: Anthropic when a cache field (`cache_read_input_tokens`, …),
 *   `output_tokens_details.thinking_tokens`, a provider hint `anthropic` or a `claude` model says
 *   so (its `input_tokens` excludes the cache: added back); LangChain with `input_token_details`;
 *   otherwise OpenAI responses (without cache fields the readings agree);
 * - `inputTokens`/`outputTokens`: the kernel's own shape when it has `cacheReadTokens` or
 *   `cacheWriteTokens` and nothing AI SDK-specific, otherwise the AI SDK (v5, v6/v7).
 * @param hint the record's `provider` field and model, used only to break ties
 * @throws KernelError `INVALID_ARGUMENT` naming the field
 */
export function normalizeUsage(
  usage: unknown,
  hint: { provider?: unknown; model?: string } = {},
): { usage: Usage; format: UsageFormat } {
  if (!isFields(usage)) return invalid('usage', 'a usage object', usage);
  const forced = providerFormat(hint.provider);
  if (usage['inputTokens'] !== undefined || usage['outputTokens'] !== undefined) {
    const aiSdk =
      has(usage, AI_SDK_KEYS) ||
      typeof usage['inputTokens'] === 'object' ||
      typeof usage['outputTokens'] === 'object';
    if (
      !aiSdk &&
      forced !== 'ai-sdk' &&
      (usage['cacheReadTokens'] !== undefined || usage['cacheWriteTokens'] !== undefined)
    ) {
      return { usage: validateUsage(usage), format: 'usage' };
    }
    return { usage: fromAISDK(usage), format: 'ai-sdk' };
  }
  if (usage['prompt_tokens'] !== undefined || usage['completion_tokens'] !== undefined) {
    return { usage: fromOpenAI(usage), format: 'openai' };
  }
  if (usage['input_tokens'] !== undefined || usage['output_tokens'] !== undefined) {
    if (usage['input_token_details'] !== undefined || usage['output_token_details'] !== undefined)
      return { usage: fromLangChain(usage), format: 'langchain' };
    const details = usage['output_tokens_details'];
    const anthropic =
      forced === 'anthropic' ||
      has(usage, ANTHROPIC_KEYS) ||
      (isFields(details) && details['thinking_tokens'] !== undefined) ||
      (forced === undefined &&
        usage['input_tokens_details'] === undefined &&
        /claude/i.test(hint.model ?? ''));
    if (anthropic) return { usage: fromAnthropic(usage), format: 'anthropic' };
    if (forced === 'langchain') return { usage: fromLangChain(usage), format: 'langchain' };
    return { usage: fromOpenAI(usage), format: 'openai' };
  }
  return invalid(
    'usage',
    'a usage object of OpenAI, Anthropic, the AI SDK, LangChain or token-kernel',
    usage,
  );
}
