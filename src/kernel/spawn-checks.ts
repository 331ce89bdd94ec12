import type { AgentCore } from '../agents/agent-core.js';
import type { ResolvedSpawnOptions } from '../agents/spawn-options.js';
import { KernelError, PoolExhaustedError } from '../errors.js';
import { tokensNeeded, windowFor } from './allocation-policy.js';

/**
 * Refuses a spawn that can never succeed, before anything changes: a live duplicate id, a parent
 * that cannot carve a window, a child larger than its parent's free tokens, or a root window
 * larger than the whole pool (queued, it would wait forever).
 * @throws KernelError `DUPLICATE_AGENT`, `AGENT_NOT_RUNNABLE`, `POOL_EXHAUSTED`
 */
export function checkSpawn(
  o: ResolvedSpawnOptions,
  parent: AgentCore | undefined,
  live: ReadonlyMap<string, AgentCore>,
  poolTotal: number,
): void {
  if (live.has(o.id)) {
    throw new KernelError(
      'DUPLICATE_AGENT',
      `Agent \`${o.id}\` is already live; release it first or pick another id`,
      { details: { agentId: o.id } },
    );
  }
  if (parent !== undefined) {
    if (parent.final || parent.state === 'waiting') {
      throw new KernelError(
        'AGENT_NOT_RUNNABLE',
        `Parent \`${parent.id}\` is ${parent.state}; it cannot carve a sub-agent window`,
      );
    }
    if (windowFor(o.priority, o.maxTokens, parent.free) === 0) {
      throw new PoolExhaustedError(
        `Parent \`${parent.id}\` has ${parent.free} free tokens; sub-agent \`${o.id}\` needs ${tokensNeeded(o.priority, o.maxTokens)}`,
        {
          agentId: o.id,
          parent: parent.id,
          available: parent.free,
        },
      );
    }
  } else if (o.maxTokens !== undefined && o.maxTokens > poolTotal) {
    throw new PoolExhaustedError(
      `Agent \`${o.id}\` asks for ${o.maxTokens} tokens; the whole pool is ${poolTotal}`,
      { agentId: o.id, requested: o.maxTokens, poolTotal },
    );
  }
}
