import {
  expectNumberIn,
  expectObject,
  expectPositiveInt,
  invalid,
  expectTokens,
} from '../validate.js';

/**
 * When an agent compacts its context on SIGWARN: once the context reaches `highWater` of its
 * window, compress it down to `lowWater`. A wide gap makes compaction rare and deep, so the
 * provider's prompt cache (reads at ~0.1× the input price, writes at 1.25×) is not rewritten
 * every turn. Both are fractions of the window, `0 < lowWater < highWater ≤ 1`.
 */
export interface CompactionPolicy {
  readonly highWater: number;
  readonly lowWater: number;
}

/** The default policy: compact at 85 % of the window, down to 50 %. */
export const DEFAULT_COMPACTION_POLICY: CompactionPolicy = Object.freeze({
  highWater: 0.85,
  lowWater: 0.5,
});

/**
 * Checks a policy: both fractions finite, `0 < lowWater < highWater ≤ 1`.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function validateCompactionPolicy(policy: unknown, name = 'policy'): CompactionPolicy {
  const p = expectObject(name, policy);
  const highWater = expectNumberIn(`${name}.highWater`, p['highWater'], 0, 1);
  const lowWater = expectNumberIn(`${name}.lowWater`, p['lowWater'], 0, 1);
  if (lowWater <= 0) invalid(`${name}.lowWater`, 'greater than 0', lowWater);
  if (lowWater >= highWater) {
    invalid(`${name}.lowWater`, `less than \`highWater\` (${highWater})`, lowWater);
  }
  return { highWater, lowWater };
}

/**
 * True when a context of `contextTokens` in a window of `windowTokens` has reached the policy's
 * high-water mark and should be compacted.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function shouldCompact(
  contextTokens: number,
  windowTokens: number,
  policy: CompactionPolicy = DEFAULT_COMPACTION_POLICY,
): boolean {
  expectTokens('contextTokens', contextTokens);
  expectPositiveInt('windowTokens', windowTokens);
  const { highWater } = validateCompactionPolicy(policy);
  return contextTokens >= highWater * windowTokens;
}

/**
 * The `maxTokens` to compress to: the low-water mark of a window, `floor(windowTokens ×
 * lowWater)`, at least 1.
 * @param windowTokens the agent's context window in tokens
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function compactionTarget(
  windowTokens: number,
  policy: CompactionPolicy = DEFAULT_COMPACTION_POLICY,
): number {
  expectPositiveInt('windowTokens', windowTokens);
  const { lowWater } = validateCompactionPolicy(policy);
  return Math.max(1, Math.floor(windowTokens * lowWater));
}
