import type { AgentCore } from '../agents/agent-core.js';
import { isKernelError } from '../errors.js';
import type { Accounting } from '../kernel/accounting.js';
import type { Pricing } from '../pricing/pricing.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { expectNumberIn, expectId, expectObject, invalid, isTokenCount } from '../validate.js';
import type { OutputEstimator } from './output-estimator.js';

/** A model the caller would accept, with its quality on the caller's own scale. */
export interface ModelCandidate {
  readonly model: string;
  readonly quality: number;
}

/** What `kernel.pickModel` weighs. */
export interface PickModelRequest {
  readonly agentId: string;
  readonly candidates: readonly ModelCandidate[];
  /** Candidates below it are not considered. @default 0 */
  readonly minQuality?: number;
  readonly request: {
    readonly messages: readonly ChatMessage[];
    readonly maxOutputTokens?: number;
  };
}

/** Why one candidate was passed over. */
export interface CandidateVerdict {
  readonly model: string;
  readonly quality: number;
  /** Upper bound of the call's cost on this model, nano-USD (absent when it could not be priced). */
  readonly costNano?: number;
  readonly fits: boolean;
  readonly why: string;
}

/** The pick: the cheapest candidate that meets the bar and fits every budget, or why none does. */
export type PickModelResult =
  | {
      readonly ok: true;
      readonly model: string;
      readonly costNano: number;
      readonly inputTokens: number;
      readonly maxOutputTokens: number;
      readonly considered: readonly CandidateVerdict[];
    }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly considered: readonly CandidateVerdict[];
    };

/**
 * Picks the cheapest candidate with `quality ≥ minQuality` whose call (input counted for that
 * model, output as requested or as learned) the agent's budgets can all pay for now.
 */
export async function pickModel(
  deps: {
    accounting: Accounting;
    pricing: Pricing;
    tokens: TokenCounter;
    estimator: OutputEstimator;
  },
  core: AgentCore,
  args: PickModelRequest,
): Promise<PickModelResult> {
  const a = expectObject('request', args);
  if (!Array.isArray(a['candidates']) || a['candidates'].length === 0)
    invalid('candidates', 'a non-empty array of { model, quality }', a['candidates']);
  const minQuality =
    args.minQuality === undefined
      ? 0
      : expectNumberIn('minQuality', args.minQuality, -Infinity, Infinity);
  args.candidates.forEach((c, i) => {
    expectId(`candidates[${i}].model`, expectObject(`candidates[${i}]`, c)['model']);
    expectNumberIn(`candidates[${i}].quality`, c.quality, -Infinity, Infinity);
  });
  const wantedOut = args.request?.maxOutputTokens;
  if (wantedOut !== undefined && !isTokenCount(wantedOut))
    invalid('request.maxOutputTokens', 'a non-negative safe integer', wantedOut);

  const considered: CandidateVerdict[] = [];
  for (const c of args.candidates) {
    if (c.quality < minQuality) {
      considered.push({
        model: c.model,
        quality: c.quality,
        fits: false,
        why: `quality ${c.quality} < ${minQuality}`,
      });
      continue;
    }
    try {
      const price = deps.pricing.resolve(c.model);
      const input = (await deps.tokens.count(args.request.messages, c.model)).tokens;
      const out = wantedOut ?? deps.estimator.estimate(core.taskId ?? '(none)', c.model).tokens;
      const costNano = deps.pricing.maxCost(price, input, out);
      const room = deps.accounting.headroom(core, c.model, input);
      const fits = core.runnable && room.maxOutputTokens >= out;
      considered.push({
        model: c.model,
        quality: c.quality,
        costNano,
        fits,
        why: fits
          ? 'fits'
          : core.runnable
            ? `${room.limitedBy} leaves room for ${room.maxOutputTokens} output tokens, ${out} needed`
            : `agent is ${core.state}`,
      });
    } catch (error) {
      if (!isKernelError(error, 'UNKNOWN_MODEL')) throw error;
      considered.push({
        model: c.model,
        quality: c.quality,
        fits: false,
        why: 'no price for this model',
      });
    }
  }
  const best = considered
    .filter((v) => v.fits)
    .sort((x, y) => (x.costNano as number) - (y.costNano as number) || y.quality - x.quality)[0];
  if (best === undefined) {
    return {
      ok: false,
      reason: `no candidate fits: ${considered.map((v) => `${v.model} (${v.why})`).join('; ')}`,
      considered,
    };
  }
  const input = (await deps.tokens.count(args.request.messages, best.model)).tokens;
  return {
    ok: true,
    model: best.model,
    costNano: best.costNano as number,
    inputTokens: input,
    maxOutputTokens:
      wantedOut ?? deps.estimator.estimate(core.taskId ?? '(none)', best.model).tokens,
    considered,
  };
}
