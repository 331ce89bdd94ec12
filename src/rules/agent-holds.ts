import type { SignalEvent } from '../agents/signal.js';
import type { Kernel } from '../kernel/kernel.js';

/** The kernel's stop cause for `kernel.stop` (one cause, shared by every caller). */
const MANUAL = 'manual';

interface Hold {
  /** The alerts holding the agent (`rule|key|periodKey`). */
  readonly holders: Set<string>;
  /** True when this book put the state in place and so may take it back. */
  owned: boolean;
}

/** Which alerts hold an agent stopped or downgraded, as returned by `RuleEngine.holds()`. */
export interface AgentHoldStatus {
  readonly stoppedBy: readonly string[];
  readonly downgradedBy: readonly string[];
}

/**
 * Reference-counted stops and downgrades on top of the kernel's single `manual` stop cause.
 *
 * - An agent is stopped (`kernel.stop`) when the first alert holds it and resumed
 *   (`kernel.resume`) when the last one lets go, so one rule clearing never resumes an agent
 *   another rule still pauses.
 * - The book only lifts what it put in place: an agent that was already stopped by hand when the
 *   first alert held it is left to whoever stopped it; if an operator resumes an agent and stops
 *   it again while alerts hold it (a new `manual` SIGSTOP the book did not ask for), the stop
 *   becomes the operator's. A `kernel.resume` by an operator overrides the holds. Stops for other
 *   causes (window, limits, preemption) are the kernel's own and are never touched: the agent
 *   runs again only when none is left.
 * - Downgrades work the same way with `kernel.setDowngrade`: an agent that was downgraded before
 *   the first hold stays downgraded afterwards.
 */
export class AgentHolds {
  readonly #kernel: Kernel;
  readonly #stops = new Map<string, Hold>();
  readonly #downgrades = new Map<string, Hold>();
  /** Agents whose `manual` SIGSTOP was asked for by this book and not yet seen. */
  readonly #expected = new Set<string>();

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  /** Holds `agentId` stopped for `holder`; the first hold stops it. */
  stop(agentId: string, holder: string, reason: string): void {
    if (!this.#kernel.has(agentId)) return;
    const hold = this.#add(this.#stops, agentId, holder);
    if (hold === undefined) return;
    if (this.#kernel.agent(agentId).stopCauses.includes(MANUAL)) return;
    this.#expected.add(agentId);
    hold.owned = true;
    this.#kernel.stop(agentId, reason);
  }

  /** Lets go of `holder`'s stop; the last one resumes the agent if this book stopped it. */
  release(agentId: string, holder: string, reason: string): void {
    const hold = this.#remove(this.#stops, agentId, holder);
    if (hold === undefined) return;
    this.#expected.delete(agentId);
    if (!hold.owned || !this.#kernel.has(agentId)) return;
    if (!this.#kernel.agent(agentId).stopCauses.includes(MANUAL)) return;
    this.#kernel.resume(agentId, reason);
  }

  /** Holds `agentId` downgraded for `holder`; `already` says whether it is downgraded now. */
  downgrade(agentId: string, holder: string, already: boolean): void {
    if (!this.#kernel.has(agentId)) return;
    const hold = this.#add(this.#downgrades, agentId, holder);
    if (hold === undefined || already) return;
    hold.owned = true;
    this.#kernel.setDowngrade(agentId, true);
  }

  /** Lets go of `holder`'s downgrade; the last one reverts it if this book set it. */
  undowngrade(agentId: string, holder: string): void {
    const hold = this.#remove(this.#downgrades, agentId, holder);
    if (hold?.owned === true && this.#kernel.has(agentId))
      this.#kernel.setDowngrade(agentId, false);
  }

  /** True when `holder` holds `agentId` stopped. */
  stopping(agentId: string, holder: string): boolean {
    return this.#stops.get(agentId)?.holders.has(holder) === true;
  }

  /** Watches `manual` SIGSTOPs: one this book did not ask for hands the stop to its author. */
  onSignal(event: SignalEvent): void {
    if (event.signal !== 'SIGSTOP' || event.limit.scope !== MANUAL) return;
    if (this.#expected.delete(event.agentId)) return;
    const hold = this.#stops.get(event.agentId);
    if (hold !== undefined) hold.owned = false;
  }

  /** Drops everything about an agent that was released or killed. */
  forget(agentId: string): void {
    this.#stops.delete(agentId);
    this.#downgrades.delete(agentId);
    this.#expected.delete(agentId);
  }

  /** Agents held, with the alerts holding them. */
  snapshot(): Record<string, AgentHoldStatus> {
    const out: Record<string, AgentHoldStatus> = {};
    const ids = new Set([...this.#stops.keys(), ...this.#downgrades.keys()]);
    for (const id of [...ids].sort()) {
      out[id] = {
        stoppedBy: [...(this.#stops.get(id)?.holders ?? [])],
        downgradedBy: [...(this.#downgrades.get(id)?.holders ?? [])],
      };
    }
    return out;
  }

  /** Adds a holder; returns the hold when it is the first one (the caller acts), else undefined. */
  #add(map: Map<string, Hold>, agentId: string, holder: string): Hold | undefined {
    let hold = map.get(agentId);
    if (hold === undefined) map.set(agentId, (hold = { holders: new Set(), owned: false }));
    if (hold.holders.has(holder)) return undefined;
    hold.holders.add(holder);
    return hold.holders.size === 1 ? hold : undefined;
  }

  /** Removes a holder; returns the hold when it was the last one (the caller acts), else undefined. */
  #remove(map: Map<string, Hold>, agentId: string, holder: string): Hold | undefined {
    const hold = map.get(agentId);
    if (hold === undefined || !hold.holders.delete(holder) || hold.holders.size > 0)
      return undefined;
    map.delete(agentId);
    return hold;
  }
}
