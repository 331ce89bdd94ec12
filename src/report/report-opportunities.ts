import type { UsageRow } from '../budget/ledger.js';
import { NO_KEY } from '../budget/usage-record.js';
import { cheaperSibling, usd } from '../kernel/cost-report.js';
import type { Pricing } from '../pricing/pricing.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import { OTHER_KEY } from './key-cap.js';
import type { LimitForecastRow } from './report-forecast.js';
import type { CallLimitRow, UnknownModelRow } from './usage-aggregator.js';

/** What an {@link Opportunity} is about. */
export type OpportunityKind =
  | 'limit'
  | 'hot-agent'
  | 'hot-user'
  | 'cheaper-model'
  | 'prompt-cache'
  | 'reasoning'
  | 'response-cache'
  | 'unknown-model';

/** One way to spend less, or a risk to act on. */
export interface Opportunity {
  readonly kind: OpportunityKind;
  readonly message: string;
  /** What acting on it would save, nano-USD, when it can be estimated. */
  readonly savingNano?: number;
}

/** The figures opportunities are found in. */
export interface OpportunityInput {
  readonly total: UsageRow;
  readonly byAgent: readonly UsageRow[];
  readonly byUser: readonly UsageRow[];
  readonly byModel: readonly UsageRow[];
  readonly limits: readonly LimitForecastRow[];
  readonly callLimits: readonly CallLimitRow[];
  readonly unknownModels: readonly UnknownModelRow[];
}

/** Share of spend above which one agent or user is named. */
const HOT_SHARE = 0.3;
/** Prompt-cache hint below this share of input read from the cache. */
const LOW_CACHE_SHARE = 0.1;
/** Prompt-cache hint only where cache reads cost less than this share of the input price. */
const MIN_CACHE_DISCOUNT = 0.9;
/** Reasoning hint above this share of output. */
const HIGH_REASONING_SHARE = 0.5;
/** A model's hints only when it is at least this share of spend. */
const SIGNIFICANT_SHARE = 0.05;

function n(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}

function priceOf(pricing: Pricing, model: string): ResolvedPrice | undefined {
  try {
    return pricing.resolve(model);
  } catch {
    return undefined;
  }
}

function hot(
  kind: 'hot-agent' | 'hot-user',
  rows: readonly UsageRow[],
  total: number,
): Opportunity[] {
  const named = rows.filter((r) => r.key !== NO_KEY && r.key !== OTHER_KEY);
  if (named.length < 2 || total <= 0) return [];
  const what = kind === 'hot-agent' ? 'agent' : 'user';
  const check =
    kind === 'hot-agent' ? 'check its loop and context size' : 'check its quota or tier';
  return named
    .filter((r) => r.costNano / total > HOT_SHARE)
    .map((r) => ({
      kind,
      message: `${what} \`${r.key}\` is ${pct(r.costNano / total)} of spend (${usd(r.costNano)}): ${check}`,
    }));
}

function modelHints(pricing: Pricing, r: UsageRow, total: number): Opportunity[] {
  const out: Opportunity[] = [];
  if (r.key === OTHER_KEY || r.costNano <= 0) return out;
  const sibling = cheaperSibling(pricing, r.key);
  if (sibling !== undefined) {
    const savingNano = Math.round(r.costNano * sibling.saving);
    out.push({
      kind: 'cheaper-model',
      message: `model \`${r.key}\`: \`${sibling.model}\` costs ${pct(sibling.saving)} less per token; moving its calls would save up to ${usd(savingNano)}`,
      savingNano,
    });
  }
  if (r.costNano / Math.max(1, total) < SIGNIFICANT_SHARE) return out;
  const price = priceOf(pricing, r.key);
  if (
    price !== undefined &&
    r.inputTokens > 0 &&
    price.cacheReadNano < price.inputNano * MIN_CACHE_DISCOUNT &&
    r.cacheReadTokens / r.inputTokens < LOW_CACHE_SHARE
  ) {
    const savingNano = Math.round(0.1 * r.inputTokens * (price.inputNano - price.cacheReadNano));
    out.push({
      kind: 'prompt-cache',
      message: `model \`${r.key}\`: ${pct(r.cacheReadTokens / r.inputTokens)} of ${n(r.inputTokens)} input tokens were prompt-cache reads (billed ${pct(price.cacheReadNano / price.inputNano)} of the input price); each 10% more, with stable instructions and tools first, saves ${usd(savingNano)}`,
      savingNano,
    });
  }
  if (r.outputTokens > 0 && r.reasoningTokens / r.outputTokens > HIGH_REASONING_SHARE) {
    out.push({
      kind: 'reasoning',
      message: `model \`${r.key}\`: ${pct(r.reasoningTokens / r.outputTokens)} of ${n(r.outputTokens)} output tokens were reasoning; a lower reasoning effort for routine calls cuts them`,
    });
  }
  return out;
}

/**
 * Finds optimization opportunities and risks: limits exceeded or projected to be, per-call limits
 * crossed, agents or users above 30 % of spend, models with a cheaper sibling (see
 * `cheaperSibling`), significant models that rarely hit the provider's prompt cache or spend most
 * output on reasoning, response-cache savings, and models left unpriced. Those with an estimated
 * saving come first, largest first.
 */
export function findOpportunities(pricing: Pricing, input: OpportunityInput): Opportunity[] {
  const total = input.total.costNano;
  const risks: Opportunity[] = [];
  for (const l of input.limits) {
    if (l.status === 'ok') continue;
    const figure = (x: number) => (l.unit === 'usd' ? `$${x.toFixed(2)}` : `${n(x)} tokens`);
    risks.push({
      kind: 'limit',
      message:
        l.status === 'exceeded'
          ? `limit \`${l.name}\` is exceeded: ${figure(l.used)} of ${figure(l.limit)}`
          : `limit \`${l.name}\` is projected to reach ${pct(l.projectedUtilization ?? 0)} (${figure(l.projected ?? 0)} of ${figure(l.limit)}) by the end of the ${l.period}`,
    });
  }
  for (const c of input.callLimits) {
    if (c.over === 0) continue;
    risks.push({
      kind: 'limit',
      message: `${n(c.over)} calls were above the per-call limit \`${c.name}\` (largest: ${n(c.maxTokens)} tokens, ${usd(c.maxNano)})`,
    });
  }
  const ideas: Opportunity[] = [
    ...hot('hot-agent', input.byAgent, total),
    ...hot('hot-user', input.byUser, total),
    ...input.byModel.flatMap((r) => modelHints(pricing, r, total)),
  ];
  if (input.total.cachedCalls > 0) {
    ideas.push({
      kind: 'response-cache',
      message: `the response cache served ${n(input.total.cachedCalls)} calls and saved ${usd(input.total.savedNano)}; keep temperature 0 for repeatable calls`,
    });
  }
  const unpriced = input.unknownModels.filter((u) => u.pricedAs === undefined);
  if (unpriced.length > 0) {
    const calls = unpriced.reduce((s, u) => s + u.calls, 0);
    ideas.push({
      kind: 'unknown-model',
      message: `${n(calls)} calls of ${unpriced.length} model(s) without a price (${unpriced
        .slice(0, 3)
        .map((u) => `\`${u.model}\``)
        .join(
          ', ',
        )}${unpriced.length > 3 ? ', …' : ''}) are not in the totals: add their prices with --prices`,
    });
  }
  const valued = ideas
    .filter((o) => o.savingNano !== undefined)
    .sort((a, b) => (b.savingNano ?? 0) - (a.savingNano ?? 0));
  return [...risks, ...valued, ...ideas.filter((o) => o.savingNano === undefined)];
}
