import type { GovernedAgent } from '../agents/governed-agent.js';
import type { Kernel } from '../kernel/kernel.js';
import type { AgentHolds } from './agent-holds.js';
import type { ResolvedRule, RuleAction, RuleScope } from './rule-spec.js';

/** Actions that hold agents in a state until the alert clears. */
const HOLDING: ReadonlySet<RuleAction> = new Set([
  'pause-noncritical',
  'stop-agent',
  'downgrade-model',
]);

/** True when the action holds agents until the alert clears (and applies to agents admitted meanwhile). */
export function isHolding(action: RuleAction): boolean {
  return HOLDING.has(action);
}

/**
 * Applies rule actions to the agents of a scope key through the kernel's public API, one agent at
 * a time: a failure on one agent is reported and the others still get the action.
 */
export class RuleActions {
  readonly #kernel: Kernel;
  readonly #holds: AgentHolds;
  readonly #report: (error: unknown, context: Record<string, unknown>) => void;
  /** Agents seen calling each model (the `model` scope's agents). */
  readonly #modelAgents = new Map<string, Set<string>>();

  constructor(
    kernel: Kernel,
    holds: AgentHolds,
    report: (error: unknown, context: Record<string, unknown>) => void,
  ) {
    this.#kernel = kernel;
    this.#holds = holds;
    this.#report = report;
  }

  /** Notes that `agentId` called `model`. */
  sawModel(model: string, agentId: string): void {
    let set = this.#modelAgents.get(model);
    if (set === undefined) this.#modelAgents.set(model, (set = new Set()));
    set.add(agentId);
  }

  /** Forgets a released or killed agent. */
  forget(agentId: string): void {
    for (const set of this.#modelAgents.values()) set.delete(agentId);
  }

  /** True when the agent belongs to the scope key (and, for pause-noncritical, is below high). */
  applies(agent: GovernedAgent, rule: ResolvedRule, key: string): boolean {
    if (!this.#inScope(agent, rule.when.scope, key)) return false;
    return (
      rule.action !== 'pause-noncritical' || agent.priority === 'low' || agent.priority === 'normal'
    );
  }

  /** Applies `rule`'s action for `key`; returns the agents it was applied to. */
  apply(rule: ResolvedRule, key: string, holder: string): string[] {
    if (rule.action === 'notify') return [];
    const agents = this.#kernel.agents().filter((a) => this.applies(a, rule, key));
    const done: string[] = [];
    const downgraded =
      rule.action === 'downgrade-model' && agents.length > 0 ? this.#kernel.status().agents : {};
    for (const agent of agents) {
      const id = agent.id;
      if (!this.#kernel.has(id)) continue;
      if (isHolding(rule.action) && agent.state === 'waiting') continue;
      try {
        this.#applyOne(rule, id, holder, downgraded[id]?.downgraded === true);
        done.push(id);
      } catch (error) {
        this.#report(error, {
          source: 'rule action',
          rule: rule.name,
          action: rule.action,
          agentId: id,
        });
      }
    }
    return done;
  }

  /** Holds one more agent for a firing alert (an agent admitted while the alert is active). */
  admit(rule: ResolvedRule, agent: GovernedAgent, holder: string): boolean {
    try {
      const downgraded =
        rule.action === 'downgrade-model' &&
        this.#kernel.status().agents[agent.id]?.downgraded === true;
      this.#applyOne(rule, agent.id, holder, downgraded);
      return true;
    } catch (error) {
      this.#report(error, {
        source: 'rule action',
        rule: rule.name,
        action: rule.action,
        agentId: agent.id,
      });
      return false;
    }
  }

  /** Lets go of what a holding action put in place on `targets`. */
  release(rule: ResolvedRule, holder: string, targets: Iterable<string>, reason: string): void {
    if (!isHolding(rule.action)) return;
    for (const id of [...targets]) {
      try {
        if (rule.action === 'downgrade-model') this.#holds.undowngrade(id, holder);
        else this.#holds.release(id, holder, reason);
      } catch (error) {
        this.#report(error, {
          source: 'rule release',
          rule: rule.name,
          action: rule.action,
          agentId: id,
        });
      }
    }
  }

  #applyOne(rule: ResolvedRule, id: string, holder: string, downgraded: boolean): void {
    const reason = `rule ${rule.name} (${rule.severity})`;
    switch (rule.action) {
      case 'pause-noncritical':
      case 'stop-agent':
        this.#holds.stop(id, holder, reason);
        return;
      case 'downgrade-model':
        this.#holds.downgrade(id, holder, downgraded);
        return;
      case 'compress':
        this.#kernel.requestCompaction(id, reason);
        return;
      case 'kill-agent':
        this.#kernel.kill(id, reason).catch((error: unknown) =>
          this.#report(error, {
            source: 'rule action',
            rule: rule.name,
            action: rule.action,
            agentId: id,
          }),
        );
        return;
      default:
        return;
    }
  }

  #inScope(agent: GovernedAgent, scope: RuleScope, key: string): boolean {
    switch (scope) {
      case 'org':
        return true;
      case 'agent':
        return agent.id === key;
      case 'task':
        return agent.taskId === key;
      case 'user':
        return agent.userId === key;
      case 'session':
        return agent.sessionId === key;
      default:
        return agent.model === key || this.#modelAgents.get(key)?.has(agent.id) === true;
    }
  }
}
