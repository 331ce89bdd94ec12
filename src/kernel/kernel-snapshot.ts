import { AgentCore } from '../agents/agent-core.js';
import type { AgentState } from '../agents/agent-machine.js';
import type { SignalEvent, SignalLimit } from '../agents/signal.js';
import type { ResolvedSpawnOptions } from '../agents/spawn-options.js';
import { Ledger, type LedgerSnapshot } from '../budget/ledger.js';
import type { CounterSnapshot } from '../budget/limit-registry.js';
import { KernelError } from '../errors.js';
import type { KernelEngine } from './kernel-engine.js';

/** One live agent in a kernel snapshot (its window as after a restart: nothing reserved). */
interface AgentSnapshot {
  readonly options: ResolvedSpawnOptions;
  readonly parent: string | null;
  readonly seq: number;
  readonly state: AgentState;
  readonly total: number;
  readonly used: number;
  readonly childHold: number;
  readonly lookupUsed: number;
  readonly reasoningUsed: number;
  readonly preempted: number;
  readonly downgraded: boolean;
  readonly stopCauses: ReadonlyArray<readonly [string, SignalLimit]>;
  readonly ladder: readonly [number, boolean];
}

/** The kernel's durable state: what journal compaction writes and a restart restores. */
export interface KernelSnapshot {
  readonly version: 1;
  /** When it was taken, ms (absent in snapshots written before it was kept). */
  readonly time?: number;
  readonly pool: {
    readonly total: number;
    readonly available: number;
    readonly spent: number;
    readonly overshoot: number;
  };
  readonly seq: number;
  readonly agents: readonly AgentSnapshot[];
  readonly waiting: readonly string[];
  readonly counters: readonly CounterSnapshot[];
  readonly ledger: LedgerSnapshot;
}

/** Takes a snapshot of `engine` (synchronously: it describes the state after every entry so far). */
export function snapshotKernel(engine: KernelEngine): KernelSnapshot {
  const agents = [...engine.agents.values()].sort((a, b) => a.seq - b.seq);
  return {
    version: 1,
    time: engine.options.clock.now(),
    pool: {
      total: engine.pool.total,
      available: engine.pool.available,
      spent: engine.pool.spent,
      overshoot: engine.pool.overshoot,
    },
    seq: engine.seq,
    agents: agents.map((c) => ({
      options: {
        id: c.id,
        taskId: c.taskId,
        priority: c.priority,
        maxTokens: c.requested,
        userId: c.userId,
        sessionId: c.sessionId,
        labels: c.labels,
        model: c.defaultModel,
        lookupRatio: c.lookupRatio,
        enforceSplit: c.enforceSplit,
        warnThresholds: c.ladder.fractions,
      },
      parent: c.parent?.id ?? null,
      seq: c.seq,
      state: c.state,
      total: c.total,
      used: c.used,
      childHold: c.childHold,
      lookupUsed: c.lookupUsed,
      reasoningUsed: c.reasoningUsed,
      preempted: c.preempted,
      downgraded: c.downgraded,
      stopCauses: c.stopCount === 0 ? [] : [...c.stopCauses],
      ladder: [c.ladder.next, c.ladder.stopped],
    })),
    waiting: engine.pool.queue.ids(),
    counters: engine.registry.snapshot(),
    ledger: engine.ledger.snapshot(),
  };
}

/** When a snapshot was taken, if it says (the replay clock stands there while restoring it). */
export function snapshotTime(value: unknown): number | undefined {
  const time = (value as { time?: unknown } | null)?.time;
  return typeof time === 'number' && Number.isFinite(time) ? time : undefined;
}

/**
 * Restores a {@link snapshotKernel} image into a fresh engine (before any entry is replayed).
 * @throws KernelError `STORE_FAILED` for a snapshot of another version
 */
export function restoreKernel(engine: KernelEngine, value: unknown): void {
  const snap = value as KernelSnapshot;
  if (snap === null || typeof snap !== 'object' || snap.version !== 1) {
    throw new KernelError(
      'STORE_FAILED',
      `Expected a kernel snapshot of version 1, got ${JSON.stringify((snap as { version?: unknown } | null)?.version)}`,
    );
  }
  Object.assign(engine.pool, snap.pool);
  engine.seq = snap.seq;
  engine.registry.restore(snap.counters);
  engine.ledger = Ledger.restore(snap.ledger, {
    clock: engine.hotClock,
    timeZone: engine.options.timeZone,
    recentCapacity: engine.options.recentRecords,
  });
  engine.accounting.useLedger(engine.ledger);
  for (const a of snap.agents) {
    const o = {
      ...a.options,
      taskId: a.options.taskId ?? undefined,
      userId: a.options.userId ?? undefined,
      sessionId: a.options.sessionId ?? undefined,
      model: a.options.model ?? undefined,
      maxTokens: a.options.maxTokens ?? undefined,
    };
    const parent = a.parent === null ? undefined : engine.agents.get(a.parent);
    const core: AgentCore = new AgentCore({
      id: o.id,
      taskId: o.taskId,
      userId: o.userId,
      sessionId: o.sessionId,
      labels: o.labels,
      priority: o.priority,
      parent,
      defaultModel: o.model,
      lookupRatio: o.lookupRatio,
      enforceSplit: o.enforceSplit,
      requested: o.maxTokens,
      seq: a.seq,
      counters: engine.registry.countersFor({
        agentId: o.id,
        taskId: o.taskId,
        userId: o.userId,
        sessionId: o.sessionId,
      }),
      attribution: engine.ledger.attribution({
        agentId: o.id,
        taskId: o.taskId,
        userId: o.userId,
        sessionId: o.sessionId,
      }),
      thresholds: o.warnThresholds,
      deliver: (signal: SignalEvent) => engine.router.deliver(core, signal),
      kernelActor: engine.actor,
      state: a.state,
    });
    core.total = a.total;
    core.used = a.used;
    core.reserved = a.childHold;
    core.childHold = a.childHold;
    core.lookupUsed = a.lookupUsed;
    core.reasoningUsed = a.reasoningUsed;
    core.preempted = a.preempted;
    core.downgraded = a.downgraded;
    for (const [cause, limit] of a.stopCauses) core.stopCauses.set(cause, limit);
    core.ladder.restore(a.ladder[0], a.ladder[1], a.total);
    core.syncWindow();
    if (parent !== undefined) (parent.children ??= new Set()).add(core);
    engine.agents.set(core.id, core);
    for (const c of core.counters) c.agents.add(core);
    if (core.stopCount > 0) engine.periodTimers.arm(core);
  }
  for (const id of snap.waiting) {
    const core = engine.agents.get(id);
    if (core !== undefined) engine.pool.queue.add(core);
  }
}
