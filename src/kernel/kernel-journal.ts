import type { AgentCore } from '../agents/agent-core.js';
import type { SpawnOptions } from '../agents/spawn-options.js';
import { NO_KEY, type UsageRecord } from '../budget/usage-record.js';
import type { JournalEntry } from '../store/journal-entry.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { KernelEngine } from './kernel-engine.js';
import { restoreKernel, snapshotKernel, snapshotTime } from './kernel-snapshot.js';

/**
 * Writes the kernel's durable changes to its store and replays them on start. Replay runs the
 * same kernel logic that made the changes (spawn, grant, release, …), with signals and events
 * muted, so the restored pool, windows, counters and ledger are exactly what they were; records
 * are re-booked with the cost they were priced at, not re-priced.
 */
export class KernelJournal {
  readonly #store: LedgerStore | undefined;
  /** True while replaying: nothing is written back. */
  replaying = false;
  /** The store's error, once an append failed: the kernel then refuses every call (fail closed). */
  failed: unknown;
  readonly #compactEvery: number;
  #compacting = false;
  #engine: KernelEngine | undefined;

  /** @param compactEvery entries journaled between snapshots */
  constructor(store: LedgerStore | undefined, compactEvery: number) {
    this.#store = store;
    this.#compactEvery = compactEvery;
  }

  /** The engine whose snapshots compaction writes. */
  attach(engine: KernelEngine): void {
    this.#engine = engine;
  }

  get enabled(): boolean {
    return this.#store !== undefined && !this.replaying;
  }

  write(entry: JournalEntry): void {
    if (this.#store === undefined || this.replaying) return;
    try {
      this.#store.append(entry);
    } catch (error) {
      this.failed = error;
      throw error;
    }
    if (
      this.#store.pending >= this.#compactEvery &&
      !this.#compacting &&
      this.#engine !== undefined
    )
      this.#compact(this.#engine);
  }

  /**
   * Writes a snapshot of the whole kernel and lets the store start an empty journal after it,
   * once the operation that wrote the last entry is done (the snapshot is taken then, in one go).
   */
  #compact(engine: KernelEngine): void {
    this.#compacting = true;
    queueMicrotask(() => {
      const store = this.#store;
      if (store === undefined || engine.closed) {
        this.#compacting = false;
        return;
      }
      store
        .compact(snapshotKernel(engine))
        .catch((error: unknown) => engine.events.emitError(error, { source: 'journal compaction' }))
        .finally(() => {
          this.#compacting = false;
        });
    });
  }

  /**
   * Replays the store into `engine` with its events muted (nothing reaches subscribers until the
   * state is whole), then reports what the store skipped as warnings.
   */
  async load(engine: KernelEngine): Promise<void> {
    engine.events.muted = true;
    let problems: readonly string[];
    try {
      problems = await this.replay(engine);
    } finally {
      engine.events.muted = false;
    }
    for (const problem of problems) engine.events.emitWarning(`store: ${problem}`);
  }

  /** Loads the store and replays it into `engine`; returns the problems the store reported. */
  async replay(engine: KernelEngine): Promise<readonly string[]> {
    if (this.#store === undefined) return [];
    const contents = await this.#store.load();
    this.replaying = true;
    const time = engine.replayTime;
    try {
      if (contents.snapshot !== undefined && contents.snapshot !== null) {
        time.at = snapshotTime(contents.snapshot);
        restoreKernel(engine, contents.snapshot);
      }
      for (const entry of contents.entries) {
        // Each entry runs at the time it first ran (period rollovers, signal times, timers).
        time.at = entry.t === 'record' ? entry.record.time : entry.time;
        apply(engine, entry);
      }
    } finally {
      time.at = undefined;
      this.replaying = false;
    }
    return contents.problems;
  }

  async close(): Promise<void> {
    await this.#store?.close();
  }
}

function apply(engine: KernelEngine, e: JournalEntry): void {
  switch (e.t) {
    case 'spawn':
      engine.spawn(e.options, e.parent === undefined ? undefined : engine.core(e.parent));
      return;
    case 'record': {
      const core = engine.agents.get(e.record.agentId);
      engine.accounting.replay(core, e.record, subjectOf(e.record));
      return;
    }
    case 'grant':
      engine.grant(e.id, e.tokens);
      return;
    case 'replenish':
      engine.replenish(e.tokens);
      return;
    case 'release': {
      const core = engine.agents.get(e.id);
      if (core !== undefined) engine.release(core, e.final, e.reason);
      return;
    }
    case 'stop':
      engine.stop(e.id, e.reason);
      return;
    case 'resume':
      engine.resume(e.id, e.reason);
      return;
    case 'downgrade':
      engine.core(e.id).downgraded = e.on;
      return;
  }
}

/** The attribution of a record whose agent is no longer live (a late commit after release). */
function subjectOf(r: UsageRecord): {
  agentId: string;
  taskId?: string;
  userId?: string;
  sessionId?: string;
} {
  return {
    agentId: r.agentId,
    ...(r.taskId !== NO_KEY && { taskId: r.taskId }),
    ...(r.userId !== NO_KEY && { userId: r.userId }),
    ...(r.sessionId !== NO_KEY && { sessionId: r.sessionId }),
  };
}

/** The spawn entry for an agent (the options it was spawned with). */
export function spawnEntry(
  time: number,
  options: SpawnOptions,
  parent: AgentCore | undefined,
): JournalEntry {
  return { t: 'spawn', time, options, ...(parent !== undefined && { parent: parent.id }) };
}
