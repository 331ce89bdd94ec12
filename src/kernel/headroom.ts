import type { AgentCore } from '../agents/agent-core.js';
import type { CallCap } from '../budget/limit-registry.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import type { Pricing } from '../pricing/pricing.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';

/** The largest output a reservation could get now, and the limit that binds it. */
export interface Headroom {
  readonly maxOutputTokens: number;
  readonly limitedBy: string;
}

/**
 * The largest `maxOutputTokens` a reservation of `input` tokens at `price` would be granted:
 * the tightest of the window (and its reasoning share when enforced), the hard per-call caps and
 * every hard counter, each in tokens and in money. Counters must already be rolled to now.
 */
export function headroomOf(
  core: AgentCore,
  price: ResolvedPrice,
  input: number,
  pricing: Pricing,
  caps: readonly CallCap[],
  counters: readonly LimitCounter[],
): Headroom {
  let best = core.total - core.used - core.reserved - input;
  let by = 'window';
  if (core.enforceSplit) {
    const r = core.total - core.lookupTotal - core.reasoningUsed - core.reasoningReserved;
    if (r < best) [best, by] = [r, 'window.reasoning'];
  }
  const inputNano = pricing.maxCost(price, input, 0);
  const perOutput = Math.max(1e-12, pricing.maxCost(price, 0, 1_000_000) / 1_000_000);
  const consider = (name: string, freeTokens: number, freeNano: number): void => {
    const t = freeTokens - input;
    const n = Math.floor((freeNano - inputNano) / perOutput);
    if (t < best) [best, by] = [t, name];
    if (n < best) [best, by] = [n, name];
  };
  for (const cap of caps) if (cap.hard) consider(cap.name, cap.tokens, cap.nano);
  for (const c of counters) if (c.limit.hard) consider(c.limit.name, c.freeTokens, c.freeNano);
  return { maxOutputTokens: Math.max(0, best), limitedBy: by };
}
