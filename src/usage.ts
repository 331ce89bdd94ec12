import { invalid, isTokenCount } from './validate.js';

/**
 * Token usage of one call, in the inclusive OpenTelemetry/OpenAI convention: `inputTokens`
 * includes cache reads and writes, `outputTokens` includes reasoning.
 */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly reasoningTokens?: number;
}

const OPTIONAL = ['cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;

/**
 * Checks a usage object: every count a non-negative safe integer, `cacheRead + cacheWrite ≤ input`
 * and `reasoning ≤ output`.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function validateUsage(usage: unknown, name = 'usage'): Usage {
  if (usage === null || typeof usage !== 'object' || Array.isArray(usage))
    invalid(name, 'a usage object', usage);
  const u = usage as Record<string, unknown>;
  if (!isTokenCount(u['inputTokens']))
    invalid(`${name}.inputTokens`, 'a non-negative safe integer', u['inputTokens']);
  if (!isTokenCount(u['outputTokens']))
    invalid(`${name}.outputTokens`, 'a non-negative safe integer', u['outputTokens']);
  for (const key of OPTIONAL) {
    const v = u[key];
    if (v !== undefined && !isTokenCount(v))
      invalid(`${name}.${key}`, 'a non-negative safe integer or undefined', v);
  }
  const cached =
    ((u['cacheReadTokens'] as number | undefined) ?? 0) +
    ((u['cacheWriteTokens'] as number | undefined) ?? 0);
  if (cached > (u['inputTokens'] as number)) {
    invalid(
      `${name}.cacheReadTokens + cacheWriteTokens`,
      `at most inputTokens (${u['inputTokens'] as number})`,
      cached,
    );
  }
  if (((u['reasoningTokens'] as number | undefined) ?? 0) > (u['outputTokens'] as number)) {
    invalid(
      `${name}.reasoningTokens`,
      `at most outputTokens (${u['outputTokens'] as number})`,
      u['reasoningTokens'],
    );
  }
  return usage as Usage;
}

/** Total tokens of a usage (input + output; both already inclusive). */
export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens;
}
