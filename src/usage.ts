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

/**
 * Checks a usage object: every count a non-negative safe integer, `cacheRead + cacheWrite ≤ input`
 * and `reasoning ≤ output`. Written out (no helper calls, no keyed loads): it runs on every record
 * inside the accounting path's inlining budget.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function validateUsage(usage: unknown, name = 'usage'): Usage {
  const u = usage as Usage;
  if (typeof usage === 'object' && usage !== null) {
    const input = u.inputTokens;
    const output = u.outputTokens;
    const read = u.cacheReadTokens;
    const write = u.cacheWriteTokens;
    const reasoning = u.reasoningTokens;
    if (
      Number.isSafeInteger(input) &&
      input >= 0 &&
      Number.isSafeInteger(output) &&
      output >= 0 &&
      (read === undefined || (Number.isSafeInteger(read) && read >= 0)) &&
      (write === undefined || (Number.isSafeInteger(write) && write >= 0)) &&
      (reasoning === undefined || (Number.isSafeInteger(reasoning) && reasoning >= 0)) &&
      (read ?? 0) + (write ?? 0) <= input &&
      (reasoning ?? 0) <= output &&
      !Array.isArray(usage)
    )
      return u;
  }
  return explain(usage, name);
}

/** The slow path of {@link validateUsage}: names the first offending field. */
function explain(usage: unknown, name: string): never {
  if (usage === null || typeof usage !== 'object' || Array.isArray(usage))
    invalid(name, 'a usage object', usage);
  const u = usage as Record<string, unknown>;
  if (!isTokenCount(u['inputTokens']))
    invalid(`${name}.inputTokens`, 'a non-negative safe integer', u['inputTokens']);
  if (!isTokenCount(u['outputTokens']))
    invalid(`${name}.outputTokens`, 'a non-negative safe integer', u['outputTokens']);
  for (const key of ['cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens']) {
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
  invalid(
    `${name}.reasoningTokens`,
    `at most outputTokens (${u['outputTokens'] as number})`,
    u['reasoningTokens'],
  );
}

/** Total tokens of a usage (input + output; both already inclusive). */
export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens;
}
