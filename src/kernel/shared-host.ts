import type { SharedStore } from '../store/shared-store.js';
import { tokensNeeded } from './allocation-policy.js';
import type { KernelEngine } from './kernel-engine.js';
import { SharedBudgets } from './shared-budgets.js';

/**
 * Shares the engine's pool and limits through `store`: every counter the registry makes from now
 * on is bound to leases, and the local pool grows and shrinks with its lease.
 */
export function shareBudgets(engine: KernelEngine, store: SharedStore): SharedBudgets {
  const { pool, router, events, options } = engine;
  const shared = new SharedBudgets(
    store,
    {
      clock: options.clock,
      timeZone: options.timeZone,
      get closed() {
        return engine.closed;
      },
      crossed(c) {
        if (c.usedTokens >= c.triggerTokens || c.usedNano >= c.triggerNano)
          router.counterCrossing(c, undefined, false);
        router.flush();
      },
      warn: (message) => events.emitWarning(message),
      error: (error, source) => events.emitError(error, { source }),
      poolAvailable: () => pool.available,
      poolNeed() {
        const head = pool.queue.peek();
        if (head === undefined) return 0;
        return Math.max(0, tokensNeeded(head.priority, head.requested) - pool.available);
      },
      addPoolTokens(tokens) {
        if (!engine.closed) engine.addPoolTokens(tokens);
      },
      removePoolTokens(tokens) {
        const take = Math.max(0, Math.min(tokens, pool.available));
        pool.available -= take;
        pool.total -= take;
        return take;
      },
    },
    options.totalBudget,
  );
  engine.registry.onCounter = (counter) => shared.bind(counter);
  return shared;
}
