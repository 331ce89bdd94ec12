import { AgentCore } from '../agents/agent-core.js';
import type { SignalEvent } from '../agents/signal.js';
import { resolveSpawnOptions } from '../agents/spawn-options.js';
import { Ledger } from '../budget/ledger.js';
import { LimitRegistry } from '../budget/limit-registry.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { Clock } from '../clock.js';
import { KernelError, PoolExhaustedError } from '../errors.js';
import { createPricing, type Pricing } from '../pricing/pricing.js';
import { expectId, expectPositiveInt } from '../validate.js';
import type { CallService } from '../calls/call-service.js';
import type { CachedResponse } from '../calls/call-types.js';
import type { OutputEstimator } from '../calls/output-estimator.js';
import type { CostCache } from '../cache/cost-cache.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { Accounting } from './accounting.js';
import { tokensNeeded, windowFor } from './allocation-policy.js';
import { KernelEvents } from './kernel-events.js';
import type { ResolvedKernelOptions } from './kernel-options.js';
import { ReservationBook } from './reservation-book.js';
import { manualLimit, SignalRouter } from './signal-router.js';
import { Pool } from './pool.js';
import { startKernelActor } from './kernel-machine.js';
import { createCallService } from '../calls/create-call-service.js';
import { checkSpawn } from './spawn-checks.js';
import { PeriodTimers } from './period-timers.js';
import { KernelWorkers } from './kernel-workers.js';
import { wakeWaiters } from '../agents/signal-handlers.js';
import { KernelJournal, spawnEntry } from './kernel-journal.js';
import { kernelClocks, type ReplayTime } from './replay-clock.js';
import { admitAgent } from './admit-agent.js';
import { releaseAgent } from './release-agent.js';
import type { SpawnOptions } from '../agents/spawn-options.js';
import { isSharedStore } from '../store/shared-store.js';
import type { SharedBudgets } from './shared-budgets.js';
import { shareBudgets } from './shared-host.js';

/**
 * The kernel's state and its lifecycle operations: the pool, spawn and admission, preemption,
 * grants, stops and resumes, release. The accounting hot path lives in {@link Accounting}.
 * Pool invariant: `total = available + Σ live root windows + spent`.
 */
export class KernelEngine {
  readonly options: ResolvedKernelOptions;
  readonly pricing: Pricing;
  ledger: Ledger;
  /** The clock of the accounting path (coarse for the system clock). */
  readonly hotClock: Clock;
  readonly registry: LimitRegistry;
  readonly router: SignalRouter;
  readonly accounting: Accounting;
  readonly calls: CallService;
  readonly cache: CostCache<CachedResponse> | undefined;
  readonly estimator: OutputEstimator;
  readonly events = new KernelEvents();
  readonly journal: KernelJournal;
  /** True until the store has been replayed. */
  loading: boolean;
  readonly agents = new Map<string, AgentCore>();
  readonly pool: Pool;
  /** The kernel's own actor: the parent of every agent's actor. */
  readonly actor = startKernelActor();
  closed = false;
  /** Spawn order of agents (FIFO within a priority). */
  seq = 0;
  readonly workers: KernelWorkers;
  readonly periodTimers: PeriodTimers;
  /** Leases on the pool and limits shared with other processes (a Redis store), if any. */
  readonly shared: SharedBudgets | undefined;

  /** While the journal replays: the time of the entry being applied. */
  readonly replayTime: ReplayTime = { at: undefined };

  constructor(resolved: ResolvedKernelOptions) {
    const { clock, hot } = kernelClocks(
      resolved.clock,
      resolved.store !== undefined,
      this.replayTime,
    );
    const options: ResolvedKernelOptions = { ...resolved, clock };
    this.options = options;
    this.journal = new KernelJournal(options.store, options.compactEvery);
    this.journal.attach(this);
    this.loading = options.store !== undefined;
    this.pricing =
      options.pricing ??
      createPricing({
        ...(options.prices === undefined ? {} : { prices: options.prices }),
        onUnknownModel: options.onUnknownModel,
        onWarn: (m) => this.events.emitWarning(m),
      });
    this.hotClock = hot;
    this.ledger = new Ledger({
      clock: hot,
      timeZone: options.timeZone,
      recentCapacity: options.recentRecords,
    });
    this.registry = new LimitRegistry({ ...options, clock: options.clock });
    this.router = new SignalRouter(options.clock, {
      signal: (e) => this.#onSignal(e),
      error: (error, context) => this.events.emitError(error, context),
    });
    const sharedStore = isSharedStore(options.store) ? options.store.shared : undefined;
    // With a shared pool the local pool holds only this process's lease on it.
    this.pool = new Pool(sharedStore === undefined ? options.totalBudget : 0, this.router);
    this.accounting = new Accounting(
      {
        clock: hot,
        pricing: this.pricing,
        ledger: this.ledger,
        registry: this.registry,
        router: this.router,
        ttlMs: options.reservationTtlMs,
        onRecord: (r: UsageRecord) => this.events.emitRecord(r),
        wantsRecords: () => this.events.hasRecordListeners,
        journalRecord:
          options.store === undefined
            ? undefined
            : sharedStore === undefined
              ? (record: UsageRecord) => this.journal.write({ t: 'record', record })
              : (record, counters, models) => this.shared?.record(record, counters, models),
      },
      (onExpire) => new ReservationBook(options.clock, onExpire),
    );
    ({
      calls: this.calls,
      cache: this.cache,
      estimator: this.estimator,
    } = createCallService(options, {
      accounting: this.accounting,
      pricing: this.pricing,
      clock: options.clock,
      tokens: () => this.tokens,
      assertOpen: () => this.assertOpen(),
      whenFunded: (core, model) =>
        this.shared?.whenFunded([...core.counters, ...this.registry.modelCounters(model)]),
    }));
    this.workers = new KernelWorkers(options.tokens, options.clock, (error, source) =>
      this.events.emitError(error, { source }),
    );
    this.periodTimers = new PeriodTimers(options.clock, () => {
      if (this.closed) return;
      this.accounting.rollDue();
      this.router.flush();
    });
    this.shared = sharedStore === undefined ? undefined : shareBudgets(this, sharedStore);
  }

  /** The token counter (`kernel.tokens`); its worker pool starts on first use. */
  get tokens(): TokenCounter {
    this.assertOpen();
    return this.workers.tokens;
  }

  /** Throws unless the kernel takes calls. Kept small (the errors are built apart): it is inlined. */
  assertOpen(): void {
    if (this.closed || this.loading || this.journal.failed !== undefined) this.#refuse();
  }

  /** Throws why the kernel takes no calls; returns during the journal's own replay. */
  #refuse(): void {
    if (this.closed)
      throw new KernelError('KERNEL_CLOSED', 'The kernel is closed; create a new one');
    if (this.journal.failed !== undefined)
      throw new KernelError(
        'STORE_FAILED',
        'The kernel stopped after its store failed: durability can no longer be promised',
        { cause: this.journal.failed },
      );
    if (this.journal.replaying) return;
    throw new KernelError(
      'NOT_READY',
      'The kernel is replaying its store; `await kernel.ready` first',
    );
  }

  /** Replays the store (kernel.ready): signals and events stay muted until it is done. */
  async load(): Promise<void> {
    try {
      await this.journal.load(this);
      await this.shared?.start();
    } catch (error) {
      this.journal.failed = error;
      throw error;
    } finally {
      this.loading = false;
    }
  }

  /** Switches an agent's calls to their downgrade model (or back). */
  setDowngrade(id: unknown, on: boolean): void {
    this.assertOpen();
    const core = this.core(id);
    core.downgraded = on;
    if (this.journal.enabled)
      this.journal.write({ t: 'downgrade', time: this.options.clock.now(), id: core.id, on });
  }

  /** The live agent with this id. @throws `UNKNOWN_AGENT` */
  core(id: unknown): AgentCore {
    const core = this.agents.get(expectId('id', id));
    if (core === undefined)
      throw new KernelError(
        'UNKNOWN_AGENT',
        `Expected \`id\` to name a live agent, got \`${String(id)}\``,
        { details: { agentId: id } },
      );
    return core;
  }

  /** Spawns a root agent (parent undefined) or a sub-agent carved from `parent`'s free tokens. */
  spawn(value: unknown, parent: AgentCore | undefined): AgentCore {
    this.assertOpen();
    const o = resolveSpawnOptions(value, this.options, parent);
    checkSpawn(o, parent, this.agents, this.shared?.pool.budget.limitTokens ?? this.pool.total);
    // Explicit fields, no spreads: object spreads take a slow path in V8, and this runs per spawn.
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
      seq: ++this.seq,
      counters: this.registry.countersFor({
        agentId: o.id,
        taskId: o.taskId,
        userId: o.userId,
        sessionId: o.sessionId,
      }),
      attribution: this.ledger.attribution({
        agentId: o.id,
        taskId: o.taskId,
        userId: o.userId,
        sessionId: o.sessionId,
      }),
      thresholds: o.warnThresholds,
      deliver: (signal: SignalEvent) => this.router.deliver(core, signal),
      kernelActor: this.actor,
    });
    this.accounting.prime(core);
    if (parent === undefined) {
      const grant = this.pool.queue.blocks(core) ? 0 : this.pool.take(core, this.agents.values());
      if (grant === 0 && this.options.onExhausted === 'reject') {
        throw new PoolExhaustedError(
          `The pool has ${this.pool.available} tokens; agent \`${o.id}\` needs ${tokensNeeded(o.priority, o.maxTokens)}`,
          { agentId: o.id, available: this.pool.available },
        );
      }
      this.#register(core);
      if (grant > 0) admitAgent(this, core, grant);
      else this.pool.queue.add(core);
    } else {
      const grant = windowFor(o.priority, o.maxTokens, parent.free);
      this.pool.carve(parent, core, grant);
      this.#register(core);
      admitAgent(this, core, grant);
    }
    this.router.flush();
    this.shared?.pool.check();
    if (this.journal.enabled)
      this.journal.write(spawnEntry(this.options.clock.now(), value as SpawnOptions, parent));
    return core;
  }

  /** Adds tokens to a live agent's window, from the pool (root) or its parent's free tokens. */
  grant(id: unknown, tokens: unknown): void {
    this.assertOpen();
    const core = this.core(id);
    const n = expectPositiveInt('tokens', tokens);
    this.pool.fund(core, n);
    this.#grow(core, n, `granted ${n.toLocaleString('en-US')} tokens`);
    this.router.flush();
    if (this.journal.enabled)
      this.journal.write({ t: 'grant', time: this.options.clock.now(), id: core.id, tokens: n });
  }

  /** Stops an agent by hand (rules, operators) until {@link resume}. */
  stop(id: unknown, reason = 'stopped by operator'): void {
    this.assertOpen();
    const core = this.core(id);
    this.router.stop(core, 'manual', manualLimit(core), reason);
    this.router.flush();
    if (this.journal.enabled)
      this.journal.write({ t: 'stop', time: this.options.clock.now(), id: core.id, reason });
  }

  /** Lifts a manual stop and re-checks period limits; true when the agent may run now. */
  resume(id: unknown, reason = 'resumed by operator'): boolean {
    this.assertOpen();
    const core = this.core(id);
    this.accounting.rollDue();
    this.router.unstop(core, 'manual', reason);
    this.router.flush();
    if (this.journal.enabled)
      this.journal.write({ t: 'resume', time: this.options.clock.now(), id: core.id, reason });
    return core.runnable;
  }

  /** Adds tokens to the pool: first restores preempted windows, then serves waiting agents. */
  replenish(tokens: unknown): void {
    this.assertOpen();
    const n = expectPositiveInt('tokens', tokens);
    if (!Number.isSafeInteger(this.pool.total + n))
      expectPositiveInt('totalBudget + tokens', this.pool.total + n);
    if (this.shared !== undefined) {
      // A shared pool grows for every process, in the store; this one takes its part by lease.
      this.shared.pool
        .raise(n)
        .catch((error: unknown) => this.events.emitError(error, { source: 'replenish' }));
      return;
    }
    this.addPoolTokens(n);
    if (this.journal.enabled)
      this.journal.write({ t: 'replenish', time: this.options.clock.now(), tokens: n });
  }

  /** Grows the pool: preempted windows are restored first, then waiting agents served. */
  addPoolTokens(n: number): void {
    this.pool.replenish(n, this.agents.values(), (core, give) =>
      this.#grow(core, give, `pool replenished: ${give.toLocaleString('en-US')} tokens restored`),
    );
    this.pool.serve(this.agents.values(), (core, grant) => admitAgent(this, core, grant));
    this.router.flush();
  }

  /** Ends an agent: children first, open reservations released, unused tokens returned. */
  release(
    core: AgentCore,
    final: 'released' | 'killed' = 'released',
    reason = 'killed',
    top = true,
  ): number {
    return releaseAgent(this, core, final, reason, top);
  }

  /** Wakes `whenRunnable` waiters: resolved when runnable, rejected with `error`. */
  wakeIfRunnable(core: AgentCore): void {
    if (core.runnable) wakeWaiters(core);
  }

  /** Ends every timer and rejects every waiter. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.actor.send({ type: 'CLOSE' });
    this.accounting.book.stop();
    this.periodTimers.clear();
    for (const core of this.agents.values())
      wakeWaiters(core, () => new KernelError('KERNEL_CLOSED', 'The kernel was closed'));
  }

  #register(core: AgentCore): void {
    this.agents.set(core.id, core);
    for (const c of core.counters) c.agents.add(core);
    this.events.emitAgent('agent.spawned', core.id, this.options.clock.now());
  }

  #grow(core: AgentCore, n: number, reason: string): void {
    core.total += n;
    core.ladder.rearm(core.used, core.total);
    core.syncWindow();
    if (core.used < core.total) this.router.unstop(core, 'window', reason);
    if (core.free > 0) this.router.unstop(core, 'preempted', reason);
    this.router.rearmed(core);
  }

  #onSignal(event: SignalEvent): void {
    const core = this.agents.get(event.agentId);
    if (event.signal === 'SIGRESUME' && core !== undefined)
      queueMicrotask(() => this.wakeIfRunnable(core));
    if (event.signal === 'SIGSTOP' && core !== undefined) this.periodTimers.arm(core);
    this.events.emitSignal(event);
  }
}
