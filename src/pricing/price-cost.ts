import type { Usage } from '../usage.js';
import type { ResolvedPrice } from './resolved-price.js';

/**
 * The cost of one call in integer nano-USD.
 *
 * Each token class is priced separately and rounded on its own, then summed:
 * - uncached input = `inputTokens − cacheReadTokens − cacheWriteTokens`, at the input rate;
 * - `cacheReadTokens` at the cache-read rate (the input rate when the model has none);
 * - `cacheWriteTokens` at the cache-write rate (the input rate when the model has none);
 * - `outputTokens` (reasoning included) at the output rate.
 *
 * The tier is chosen by the call's total `inputTokens` (the highest tier whose
 * `aboveInputTokens` it exceeds), and applies to every class, as the providers bill it.
 *
 * Hot path: no validation (the caller validated `usage`) and no allocation. Exact while every
 * product `tokens × nanoPerToken` stays below 2^53.
 */
export function priceCost(price: ResolvedPrice, usage: Usage): number {
  // Untiered prices (most) skip the tier search: this runs on every record, inlined.
  return price.tiers.length === 0
    ? costAt(usage, price.inputNano, price.outputNano, price.cacheReadNano, price.cacheWriteNano)
    : tieredCost(price, usage);
}

function tieredCost(price: ResolvedPrice, usage: Usage): number {
  const tiers = price.tiers;
  for (let i = tiers.length - 1; i >= 0; i--) {
    const tier = tiers[i]!;
    if (usage.inputTokens > tier.aboveInputTokens)
      return costAt(
        usage,
        tier.inputNano,
        tier.outputNano,
        tier.cacheReadNano,
        tier.cacheWriteNano,
      );
  }
  return costAt(
    usage,
    price.inputNano,
    price.outputNano,
    price.cacheReadNano,
    price.cacheWriteNano,
  );
}

function costAt(
  usage: Usage,
  inputRate: number,
  outputRate: number,
  readRate: number,
  writeRate: number,
): number {
  const read = usage.cacheReadTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  return (
    Math.round((usage.inputTokens - read - write) * inputRate) +
    Math.round(read * readRate) +
    Math.round(write * writeRate) +
    Math.round(usage.outputTokens * outputRate)
  );
}

/**
 * An upper bound, in nano-USD, of {@link priceCost} for every usage with at most `inputTokens`
 * input and `outputTokens` output tokens: every input token at the dearest of the input,
 * cache-read and cache-write rates, every output token at the output rate, across the base and
 * every tier such a call could reach.
 */
export function priceMaxCost(
  price: ResolvedPrice,
  inputTokens: number,
  outputTokens: number,
): number {
  let inputRate = Math.max(price.inputNano, price.cacheReadNano, price.cacheWriteNano);
  let outputRate = price.outputNano;
  const tiers = price.tiers;
  for (let i = 0; i < tiers.length; i++) {
    const tier = tiers[i]!;
    if (inputTokens > tier.aboveInputTokens) {
      inputRate = Math.max(inputRate, tier.inputNano, tier.cacheReadNano, tier.cacheWriteNano);
      outputRate = Math.max(outputRate, tier.outputNano);
    }
  }
  // priceCost rounds up to three input classes separately, each by at most half a nano; one nano
  // of slack over the ceiling covers their sum. A single input token has a single class.
  return (
    Math.ceil(inputTokens * inputRate) +
    Math.ceil(outputTokens * outputRate) +
    (inputTokens > 1 ? 1 : 0)
  );
}
