import type { AgentCore } from '../agents/agent-core.js';
import { addSignalHandler } from '../agents/signal-handlers.js';
import { createCostCache } from '../cache/cost-cache.js';
import type { Clock } from '../clock.js';
import type { Accounting } from '../kernel/accounting.js';
import type { ResolvedKernelOptions } from '../kernel/kernel-options.js';
import type { Pricing } from '../pricing/pricing.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { CallService } from './call-service.js';
import type { CachedResponse } from './call-types.js';
import { OutputEstimator } from './output-estimator.js';

/** The governed-call path of a kernel: its response cache, output estimator and call service. */
export function createCallService(
  options: Pick<ResolvedKernelOptions, 'cache' | 'outputEstimate' | 'downgrade'>,
  deps: {
    accounting: Accounting;
    pricing: Pricing;
    clock: Clock;
    tokens: () => TokenCounter;
    assertOpen: () => void;
    whenFunded: (core: AgentCore, model: string) => Promise<void> | undefined;
  },
): {
  calls: CallService;
  cache: ReturnType<typeof createCostCache<CachedResponse>> | undefined;
  estimator: OutputEstimator;
} {
  const cache =
    options.cache === false
      ? undefined
      : createCostCache<CachedResponse>({ ...options.cache, clock: deps.clock });
  const estimator = new OutputEstimator(options.outputEstimate);
  const calls = new CallService({
    accounting: deps.accounting,
    pricing: deps.pricing,
    tokens: deps.tokens,
    cache,
    estimator,
    downgrade: options.downgrade,
    assertOpen: deps.assertOpen,
    whenFunded: deps.whenFunded,
    onSignal: addSignalHandler,
  });
  return { calls, cache, estimator };
}
