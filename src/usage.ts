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

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Checks a usage object: every count a non-negative safe integer, `cacheRead + cacheWrite ≤ input`
 * and `reasoning ≤ output`. Unrolled (no keyed property loads): it runs on every record.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function validateUsage(usage: unknown, name = 'usage'): Usage {
  if (usage === null || typeof usage !== 'object') invalid(name, 'a usage object', usage);
  const u = usage as Usage;
  const input = u.inputTokens;
  const output = u.outputTokens;
  const read = u.cacheReadTokens;
  const write = u.cacheWriteTokens;
  const reasoning = u.reasoningTokens;
  if (
    isCount(input) &&
    isCount(output) &&
    (read === undefined || isCount(read)) &&
    (write === undefined || isCount(write)) &&
    (reasoning === undefined || isCount(reasoning)) &&
    (read ?? 0) + (write ?? 0) <= input &&
    (reasoning ?? 0) <= output &&
    !Array.isArray(usage)
  ) {
    return u;
  }
  return explain(usage, name);
}

/** The slow path of {@link validateUsage}: names the first offending field. */
function explain(usage: unknown, name: string): never {
  if (Array.isArray(usage)) invalid(name, 'a usage object', usage);
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
