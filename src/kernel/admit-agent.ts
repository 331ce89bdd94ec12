import type { AgentCore } from '../agents/agent-core.js';
import type { KernelEngine } from './kernel-engine.js';
import { counterLimit } from './signal-router.js';

/**
 * Gives a waiting agent its window of `grant` tokens (spawn, and the pool serving its queue):
 * the window's thresholds re-armed for the new total, crossings its earlier usage already
 * implies signalled, and a SIGSTOP for every hard limit already used up.
 */
export function admitAgent(engine: KernelEngine, core: AgentCore, grant: number): void {
  const router = engine.router;
  core.total = grant;
  core.ladder.rearm(core.used, grant);
  core.syncWindow();
  router.quiet(core, 'ADMIT');
  if (core.used > 0) router.windowCrossing(core);
  for (const c of core.counters) {
    if (!c.limit.hard || !c.exhausted) continue;
    const unit = c.usedTokens >= c.limit.tokens ? 'tokens' : 'usd';
    router.stop(core, c.limit.name, counterLimit(c, unit, 1), `${c.limit.name} already reached`);
  }
  engine.events.emitAgent('agent.admitted', core.id, engine.options.clock.now());
  if (core.waiters !== undefined) queueMicrotask(() => engine.wakeIfRunnable(core));
}
