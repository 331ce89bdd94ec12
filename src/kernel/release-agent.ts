import type { AgentCore } from '../agents/agent-core.js';
import { wakeWaiters } from '../agents/signal-handlers.js';
import { KernelError } from '../errors.js';
import { admitAgent } from './admit-agent.js';
import type { KernelEngine } from './kernel-engine.js';
import { windowLimit } from './signal-router.js';

/**
 * Ends an agent: children first, open reservations released, unused tokens returned to the
 * parent or the pool (which then serves waiting agents). Journaled once, for the agent asked.
 */
export function releaseAgent(
  engine: KernelEngine,
  core: AgentCore,
  final: 'released' | 'killed',
  reason: string,
  top: boolean,
): number {
  if (core.final) return 0;
  // Journaled once, for the agent asked: replaying it releases the children again.
  if (top && engine.journal.enabled)
    engine.journal.write({
      t: 'release',
      time: engine.options.clock.now(),
      id: core.id,
      final,
      reason,
    });
  if (core.children !== undefined)
    for (const child of [...core.children]) releaseAgent(engine, child, final, reason, false);
  engine.accounting.releaseAll(core);
  engine.pool.queue.remove(core);
  const returned = engine.pool.returnWindow(core);
  for (const c of core.counters) c.agents.delete(core);
  engine.shared?.released(core.counters);
  engine.agents.delete(core.id);
  if (final === 'killed') engine.router.emit(core, 'SIGKILL', windowLimit(core, 1), reason);
  else engine.router.quiet(core, 'RELEASE');
  engine.router.flush();
  wakeWaiters(
    core,
    () =>
      new KernelError('AGENT_RELEASED', `Agent \`${core.id}\` was ${final}`, {
        details: { agentId: core.id },
      }),
  );
  engine.events.emitAgent(
    final === 'killed' ? 'agent.killed' : 'agent.released',
    core.id,
    engine.options.clock.now(),
  );
  if (core.parent === undefined) {
    engine.pool.serve(engine.agents.values(), (core, grant) => admitAgent(engine, core, grant));
    engine.router.flush();
    engine.shared?.pool.check();
  }
  return returned;
}
