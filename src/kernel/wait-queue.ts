import type { AgentCore } from '../agents/agent-core.js';
import { priorityRank } from '../agents/priority.js';

/** Agents waiting for a window: served by priority, then first come first served. */
export class WaitQueue {
  readonly #items: AgentCore[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The next agent to serve. */
  peek(): AgentCore | undefined {
    return this.#items[0];
  }

  add(core: AgentCore): void {
    const rank = priorityRank(core.priority);
    let i = this.#items.length;
    while (i > 0 && priorityRank((this.#items[i - 1] as AgentCore).priority) < rank) i--;
    this.#items.splice(i, 0, core);
  }

  remove(core: AgentCore): boolean {
    const i = this.#items.indexOf(core);
    if (i < 0) return false;
    this.#items.splice(i, 1);
    return true;
  }

  /** True when an agent of this priority would have to wait behind someone already queued. */
  blocks(core: AgentCore): boolean {
    const head = this.#items[0];
    return head !== undefined && priorityRank(head.priority) >= priorityRank(core.priority);
  }

  ids(): string[] {
    return this.#items.map((c) => c.id);
  }
}
