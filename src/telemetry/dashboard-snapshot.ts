import type { SignalEvent, SignalName } from '../agents/signal.js';
import type { UsageRow } from '../budget/ledger-row.js';
import type { Kernel } from '../kernel/kernel.js';
import type { KernelStatus } from '../kernel/kernel-status.js';

/** One line of the dashboard's signal log. */
export interface SignalLogEntry {
  /** Order of arrival since the dashboard started (from 1). */
  readonly seq: number;
  /** ms since the epoch (the kernel's clock). */
  readonly time: number;
  readonly agentId: string;
  readonly signal: SignalName;
  /** The limit's scope (`window`, `pool`, `user`, …) and name. */
  readonly scope: string;
  readonly limit: string;
  readonly reason: string;
}

/** The dashboard's view of a kernel: `/status` and every event-stream message. */
export interface DashboardSnapshot extends KernelStatus {
  /** Lifetime spend per model, most expensive first. */
  readonly spendByModel: readonly UsageRow[];
  /** What the response cache saved over the kernel's life. */
  readonly cache: {
    readonly hits: number;
    /** nano-USD at list price. */
    readonly savedNano: number;
    readonly savedUsd: number;
  };
  /** The newest signals, oldest first. */
  readonly signals: readonly SignalLogEntry[];
}

/** A bounded log of the newest signals (a ring: O(1) per signal). */
export class SignalLog {
  readonly #capacity: number;
  readonly #ring: SignalLogEntry[] = [];
  #seq = 0;

  /** @param capacity entries kept (the newest). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Appends a signal, dropping the oldest entry when full. */
  push(e: SignalEvent): void {
    const entry: SignalLogEntry = {
      seq: ++this.#seq,
      time: e.time,
      agentId: e.agentId,
      signal: e.signal,
      scope: e.limit.scope,
      limit: e.limit.name,
      reason: e.reason,
    };
    if (this.#ring.length < this.#capacity) this.#ring.push(entry);
    else this.#ring[(this.#seq - 1) % this.#capacity] = entry;
  }

  /** The kept entries, oldest first. */
  entries(): SignalLogEntry[] {
    if (this.#ring.length < this.#capacity) return [...this.#ring];
    const start = this.#seq % this.#capacity;
    return [...this.#ring.slice(start), ...this.#ring.slice(0, start)];
  }
}

/** The kernel's status plus spend by model, cache savings and the signal log. */
export function buildDashboardSnapshot(kernel: Kernel, signals: SignalLog): DashboardSnapshot {
  const status = kernel.status();
  const spendByModel = kernel.usage({ by: 'model', period: 'lifetime' });
  let hits = 0;
  let savedNano = 0;
  for (const row of spendByModel) {
    hits += row.cachedCalls;
    savedNano += row.savedNano;
  }
  return {
    ...status,
    spendByModel,
    cache: { hits, savedNano, savedUsd: savedNano / 1e9 },
    signals: signals.entries(),
  };
}
