import type { AgentCore } from '../agents/agent-core.js';
import { isKernelError } from '../errors.js';
import type { LimitRegistry } from '../budget/limit-registry.js';
import type { Pricing } from '../pricing/pricing.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';

/** What pricing an agent's calls needs from the kernel. */
export interface PriceDeps {
  readonly pricing: Pricing;
  readonly registry: LimitRegistry;
}

/**
 * The price of `model` for a call by `core` at `now`: the agent's remembered price while it
 * applies (the hot path: two compares), else looked up again.
 */
export function agentPrice(
  d: PriceDeps,
  core: AgentCore,
  model: string,
  now: number,
): ResolvedPrice {
  return model === core.lastModel && (core.priceFixed || now < core.priceUntil)
    ? (core.lastPrice as ResolvedPrice)
    : resolveAgentPrice(d, core, model, now);
}

/**
 * Prices `model` for `core` and remembers the price until it changes (`Pricing.validUntil`;
 * a `Pricing` without it is asked every call), with the model's limit counters.
 * @throws KernelError `UNKNOWN_MODEL` as `Pricing.resolve`
 */
export function resolveAgentPrice(
  d: PriceDeps,
  core: AgentCore,
  model: string,
  now: number,
): ResolvedPrice {
  const price = d.pricing.resolve(model);
  if (model !== core.lastModel) {
    core.lastModelCounters = d.registry.modelCounters(model);
    core.lastModel = model;
  }
  core.lastPrice = price;
  core.priceUntil = d.pricing.validUntil?.(model) ?? now;
  core.priceFixed = core.priceUntil === Infinity;
  return price;
}

/**
 * Prices an agent's default model at spawn, so that its first call costs no lookup. A model
 * without a price is left for the first call to report (`UNKNOWN_MODEL`); under the `'warn'`
 * policy its warning comes now, at spawn.
 */
export function primeAgentPrice(d: PriceDeps, core: AgentCore, now: number): void {
  if (core.defaultModel === undefined) return;
  try {
    resolveAgentPrice(d, core, core.defaultModel, now);
  } catch (error) {
    if (!isKernelError(error, 'UNKNOWN_MODEL')) throw error;
  }
}
