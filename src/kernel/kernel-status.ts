import type { AgentState } from '../agents/agent-machine.js';
import type { Priority } from '../agents/priority.js';
import type { KernelEngine } from './kernel-engine.js';

/** One limit's figures in {@link KernelStatus}. */
export interface LimitStatus {
  readonly name: string;
  readonly scope: string;
  readonly id: string;
  readonly period: string;
  readonly unit: 'tokens' | 'usd';
  /** In the limit's unit (USD as a number). */
  readonly used: number;
  readonly reserved: number;
  readonly limit: number;
  /** used / limit. */
  readonly utilization: number;
  readonly hard: boolean;
  /** When the current period ends, ms since the epoch (absent for lifetime). */
  readonly resetsAt?: number;
}

/** One agent in {@link KernelStatus}. */
export interface AgentStatus {
  readonly state: AgentState;
  readonly priority: Priority;
  readonly total: number;
  readonly used: number;
  readonly reserved: number;
  readonly free: number;
  readonly parent?: string;
  readonly task?: string;
  readonly user?: string;
  readonly session?: string;
  readonly stopCauses: readonly string[];
  readonly downgraded: boolean;
}

/** The kernel's health report: a plain JSON-able snapshot. */
export interface KernelStatus {
  readonly time: number;
  /** allocated = Σ live root windows; spent = used by released agents. total = available + allocated + spent. */
  readonly pool: {
    readonly total: number;
    readonly available: number;
    readonly allocated: number;
    readonly spent: number;
    readonly overshoot: number;
  };
  readonly agents: Readonly<Record<string, AgentStatus>>;
  readonly waiting: readonly string[];
  readonly limits: readonly LimitStatus[];
  readonly reservations: number;
  readonly records: number;
  readonly costNano: number;
}

/** Builds the status snapshot (periods roll on read). */
export function buildStatus(engine: KernelEngine): KernelStatus {
  const now = engine.options.clock.now();
  const agents: Record<string, AgentStatus> = {};
  let allocated = 0;
  // Roll first and deliver what the rollover signalled, so each state below is current.
  engine.accounting.rollDue(now);
  engine.router.flush();
  for (const core of engine.agents.values()) {
    if (core.parent === undefined) allocated += core.total;
    agents[core.id] = {
      state: core.state,
      priority: core.priority,
      total: core.total,
      used: core.used,
      reserved: core.reserved,
      free: core.free,
      ...(core.parent && { parent: core.parent.id }),
      ...(core.taskId !== undefined && { task: core.taskId }),
      ...(core.userId !== undefined && { user: core.userId }),
      ...(core.sessionId !== undefined && { session: core.sessionId }),
      stopCauses: [...core.stopCauses.keys()],
      downgraded: core.downgraded,
    };
  }
  engine.router.flush();
  const limits: LimitStatus[] = [];
  for (const c of engine.registry.all()) {
    const base = {
      name: c.limit.name,
      scope: c.limit.scope,
      id: c.limit.key,
      period: c.limit.period,
      hard: c.limit.hard,
      ...(c.periodEnd !== Infinity && { resetsAt: c.periodEnd }),
    };
    if (c.limit.tokens !== Infinity) {
      limits.push({
        ...base,
        unit: 'tokens',
        used: c.usedTokens,
        reserved: c.reservedTokens,
        limit: c.limit.tokens,
        utilization: c.usedTokens / c.limit.tokens,
      });
    }
    if (c.limit.nano !== Infinity) {
      limits.push({
        ...base,
        unit: 'usd',
        used: c.usedNano / 1e9,
        reserved: c.reservedNano / 1e9,
        limit: c.limit.nano / 1e9,
        utilization: c.usedNano / c.limit.nano,
      });
    }
  }
  engine.router.flush();
  return {
    time: now,
    pool: {
      total: engine.pool.total,
      available: engine.pool.available,
      allocated,
      spent: engine.pool.spent,
      overshoot: engine.pool.overshoot,
    },
    agents,
    waiting: engine.pool.queue.ids(),
    limits,
    reservations: engine.accounting.book.size,
    records: engine.ledger.size,
    costNano: engine.ledger.total('lifetime').costNano,
  };
}

/**
 * A progress bar of ten cells: `[████████░░] 82% (82,000/100,000 tokens)`. The percentage and the
 * cells are floored, so a bar is full only when the window is.
 */
export function formatBar(used: number, total: number, unit = 'tokens'): string {
  const ratio = total > 0 ? used / total : used > 0 ? 1 : 0;
  const cells = Math.max(0, Math.min(10, Math.floor(ratio * 10)));
  const pct = Math.floor(ratio * 100);
  const n = (x: number): string => x.toLocaleString('en-US');
  return `[${'█'.repeat(cells)}${'░'.repeat(10 - cells)}] ${pct}% (${n(used)}/${n(total)} ${unit})`;
}
