import type { AgentCore } from '../agents/agent-core.js';
import { priorityRank } from '../agents/priority.js';
import type { SignalLimit } from '../agents/signal.js';
import { tokensNeeded, windowFor } from './allocation-policy.js';
import type { SignalRouter } from './signal-router.js';
import { WaitQueue } from './wait-queue.js';
import { KernelError, PoolExhaustedError } from '../errors.js';

/**
 * The token pool: a spend budget. Invariant: `total = available + Σ live root windows + spent`;
 * tokens used beyond a window (unreserved `record()` overshoot) are counted apart, in `overshoot`.
 * It grants root windows, preempts for critical agents, restores what it preempted first when
 * replenished, and keeps the queue of agents waiting for a window.
 */
export class Pool {
  total: number;
  available: number;
  /** Tokens of released root windows that were used (min(used, total) each). */
  spent = 0;
  /** Tokens used beyond window totals by released roots. */
  overshoot = 0;
  readonly queue = new WaitQueue();
  readonly #router: SignalRouter;

  constructor(total: number, router: SignalRouter) {
    this.total = total;
    this.available = total;
    this.#router = router;
  }

  /** Takes a window for a root agent, preempting for critical ones; 0 if the pool cannot. */
  take(core: AgentCore, agents: Iterable<AgentCore>): number {
    let grant = windowFor(core.priority, core.requested, this.available);
    if (grant === 0 && core.priority === 'critical') {
      this.#preempt(tokensNeeded(core.priority, core.requested) - this.available, agents);
      grant = windowFor(core.priority, core.requested, this.available);
    }
    if (grant > 0) this.available -= grant;
    return grant;
  }

  /**
   * Pays `tokens` more into a live agent's window: from the pool for a root, from its parent's
   * free tokens for a sub-agent (held in the parent's `reserved`).
   * @throws KernelError `AGENT_NOT_RUNNABLE` (still waiting), `POOL_EXHAUSTED`
   */
  fund(core: AgentCore, tokens: number): void {
    if (core.state === 'waiting') {
      throw new KernelError(
        'AGENT_NOT_RUNNABLE',
        `Agent \`${core.id}\` is waiting for its window; grant to it once admitted`,
      );
    }
    const source = core.parent === undefined ? this.available : core.parent.free;
    if (tokens > source) {
      const from = core.parent === undefined ? 'the pool' : `parent \`${core.parent.id}\``;
      throw new PoolExhaustedError(
        `Cannot grant ${tokens} tokens to \`${core.id}\`: ${from} has ${source} free`,
        { agentId: core.id, requested: tokens, available: source },
      );
    }
    if (core.parent === undefined) this.available -= tokens;
    else this.carve(core.parent, undefined, tokens);
  }

  /** Holds `tokens` of `parent`'s free tokens for a child's window (a new `child`, or a grant). */
  carve(parent: AgentCore, child: AgentCore | undefined, tokens: number): void {
    parent.reserved += tokens;
    parent.childHold += tokens;
    if (child !== undefined) (parent.children ??= new Set()).add(child);
  }

  /**
   * Returns a released window: a sub-agent's to its parent (its used tokens become the parent's
   * used, the rest free again), a root's to the pool. Returns the unused tokens given back.
   */
  returnWindow(core: AgentCore): number {
    const p = core.parent;
    if (p === undefined) return this.#giveBack(core);
    p.reserved -= core.total;
    p.childHold -= core.total;
    p.used += core.used;
    p.lookupUsed += core.lookupUsed;
    p.reasoningUsed += core.reasoningUsed;
    p.children?.delete(core);
    if (p.used >= p.windowAt) this.#router.windowCrossing(p);
    return Math.max(0, core.total - core.used);
  }

  /** A released root window: the unused part becomes available, the used part spent. */
  #giveBack(core: AgentCore): number {
    const returned = Math.max(0, core.total - core.used);
    this.available += returned;
    this.spent += Math.min(core.used, core.total);
    this.overshoot += Math.max(0, core.used - core.total);
    return returned;
  }

  /**
   * Adds tokens; hands what critical preemption took back to its owners first (highest priority
   * first) through `grow`.
   */
  replenish(
    tokens: number,
    agents: Iterable<AgentCore>,
    grow: (core: AgentCore, tokens: number) => void,
  ): void {
    this.total += tokens;
    this.available += tokens;
    const preempted = [...agents].filter((c) => c.preempted > 0 && !c.final);
    preempted.sort((a, b) => priorityRank(b.priority) - priorityRank(a.priority) || a.seq - b.seq);
    for (const core of preempted) {
      const give = Math.min(core.preempted, this.available);
      if (give === 0) break;
      this.available -= give;
      core.preempted -= give;
      grow(core, give);
    }
  }

  /** Admits waiting agents, in queue order, while the pool can cover the head. */
  serve(agents: Iterable<AgentCore>, admit: (core: AgentCore, grant: number) => void): void {
    for (let head = this.queue.peek(); head !== undefined; head = this.queue.peek()) {
      const grant = this.take(head, agents);
      if (grant === 0) return;
      this.queue.remove(head);
      admit(head, grant);
    }
  }

  /** Reclaims the free part of low, then normal root windows; all or nothing. */
  #preempt(needed: number, agents: Iterable<AgentCore>): void {
    const victims = [...agents].filter(
      (c) =>
        c.parent === undefined &&
        c.free > 0 &&
        (c.priority === 'low' || c.priority === 'normal') &&
        !c.final &&
        c.state !== 'waiting',
    );
    victims.sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || b.free - a.free);
    if (victims.reduce((s, c) => s + c.free, 0) < needed) return;
    for (const core of victims) {
      if (needed <= 0) break;
      const take = Math.min(core.free, needed);
      needed -= take;
      core.total -= take;
      core.preempted += take;
      this.available += take;
      // The smaller total moves every threshold: window crossings first (SIGWARN before SIGSTOP);
      // the preemption itself is signalled only when they said nothing.
      if (this.#router.windowCrossing(core) > 0) continue;
      const limit: SignalLimit = {
        scope: 'pool',
        name: 'preemption',
        unit: 'tokens',
        threshold: core.total === 0 ? 1 : core.used / core.total,
        used: core.used,
        reserved: core.reserved,
        total: core.total,
      };
      const reason = `preempted ${take.toLocaleString('en-US')} tokens for a critical agent`;
      if (core.free === 0) this.#router.stop(core, 'preempted', limit, reason);
      else this.#router.emit(core, 'SIGWARN', limit, reason);
    }
  }
}
