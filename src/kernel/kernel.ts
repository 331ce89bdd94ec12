import { handleOf, type GovernedAgent } from '../agents/governed-agent.js';
import type { SpawnOptions } from '../agents/spawn-options.js';
import type { Dimension, UsageRow } from '../budget/ledger.js';
import type { PeriodKind } from '../budget/limit-spec.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { Pricing } from '../pricing/pricing.js';
import { expectOneOf, expectPositiveInt, invalid } from '../validate.js';
import { KernelError } from '../errors.js';
import { buildCostReport } from './cost-report.js';
import type { CostCacheStats } from '../cache/cost-cache.js';
import type { OutputEstimatorStats } from '../calls/output-estimator.js';
import { pickModel, type PickModelRequest, type PickModelResult } from '../calls/model-picker.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import {
  compactOnWarn,
  type CompactOnWarnOptions,
  type CompactionStop,
} from '../compress/compact-on-warn.js';
import type { CompressOptions, CompressResult } from '../compress/compress-options.js';
import type { Summarizer } from '../compress/compressor.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import { spawnIsolated, type IsolatedAgent } from '../isolation/isolated-agent.js';
import type { IsolatedAgentOptions } from '../isolation/isolated-agent-options.js';
import { serveDashboard, type DashboardServer } from '../telemetry/dashboard-server.js';
import type { DashboardOptions } from '../telemetry/dashboard-options.js';
import { KernelEngine } from './kernel-engine.js';
import type { KernelEventMap } from './kernel-events.js';
import { resolveKernelOptions, type KernelOptions } from './kernel-options.js';
import { buildStatus, formatBar, type KernelStatus } from './kernel-status.js';

const EVENTS: ReadonlyArray<keyof KernelEventMap> = [
  'signal',
  'record',
  'agent',
  'error',
  'warning',
  'compaction',
];
const DIMENSIONS: readonly Dimension[] = ['agent', 'task', 'user', 'session', 'model'];
const PERIODS: ReadonlyArray<PeriodKind | 'lifetime'> = [
  'hour',
  'day',
  'week',
  'month',
  'lifetime',
];

/**
 * The kernel actor: owns the token pool, grants windows to governed agents, holds every limit,
 * and keeps the ledger. The accounting API is synchronous; only what waits returns a promise.
 */
export class Kernel {
  readonly #engine: KernelEngine;
  readonly #isolated = new Set<IsolatedAgent>();
  /**
   * Resolves when the kernel's store has been replayed (at once without a store). Until then
   * every call throws `NOT_READY`. Rejects with `STORE_FAILED` when the store cannot be read.
   */
  readonly ready: Promise<void>;
  #closing: Promise<void> | undefined;

  /** @internal use {@link createKernel} */
  constructor(options: KernelOptions) {
    this.#engine = new KernelEngine(resolveKernelOptions(options));
    this.ready = this.#engine.loading ? this.#engine.load() : Promise.resolve();
    // A failed replay is reported through `ready`; keep it from becoming an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /**
   * Spawns a governed agent. With `maxTokens` it gets exactly that; without, a priority share of
   * what is available. When the pool cannot cover it, it waits (`state === 'waiting'`) or is
   * rejected, per `onExhausted`.
   * @throws KernelError `DUPLICATE_AGENT`, `POOL_EXHAUSTED`, `INVALID_ARGUMENT`, `KERNEL_CLOSED`
   * @example
   * const agent = kernel.spawn({ id: 'researcher', task: 'q1 report', priority: 'high', maxTokens: 20_000 });
   */
  spawn(options: SpawnOptions): GovernedAgent {
    return handleOf(this.#engine.spawn(options, undefined), this.#engine);
  }

  /** The live agent with this id. @throws KernelError `UNKNOWN_AGENT`, `NOT_READY` (before `ready`) */
  agent(id: string): GovernedAgent {
    // Before the store is replayed, an agent that will be restored would look unknown.
    if (this.#engine.loading)
      throw new KernelError(
        'NOT_READY',
        'The kernel is replaying its store; `await kernel.ready` first',
      );
    return handleOf(this.#engine.core(id), this.#engine);
  }

  /** True when an agent with this id is live. */
  has(id: string): boolean {
    return this.#engine.agents.has(id);
  }

  /** Every live agent. */
  agents(): GovernedAgent[] {
    return [...this.#engine.agents.values()].map((c) => handleOf(c, this.#engine));
  }

  /** Adds tokens to an agent's window (from the pool, or a sub-agent's parent); SIGRESUME if that unblocks it. */
  grant(id: string, tokens: number): void {
    this.#engine.grant(id, tokens);
  }

  /** Stops an agent by hand (SIGSTOP) until {@link resume}. */
  stop(id: string, reason?: string): void {
    this.#engine.stop(id, reason);
  }

  /** Lifts a manual stop; returns true when the agent may run now (no other limit stops it). */
  resume(id: string, reason?: string): boolean {
    return this.#engine.resume(id, reason);
  }

  /** Adds tokens to the pool: restores preempted windows, then admits waiting agents. */
  replenish(tokens: number): void {
    this.#engine.replenish(tokens);
  }

  /**
   * Switches an agent's governed calls to the cheaper model of the kernel's `downgrade` map (or
   * back, with `on = false`); warned agents are downgraded automatically.
   */
  setDowngrade(id: string, on = true): void {
    if (typeof on !== 'boolean') invalid('on', 'a boolean', on);
    this.#engine.setDowngrade(id, on);
  }

  /** Asks an agent to compact its context now: a `compaction` event its compaction policy acts on. */
  requestCompaction(id: string, reason = 'requested'): void {
    this.#engine.assertOpen();
    const core = this.#engine.core(id);
    this.#engine.events.emitCompaction(core.id, reason, this.#engine.options.clock.now());
  }

  /** Ends an agent with SIGKILL: its window is reclaimed (unused tokens back, used stay spent). */
  async kill(id: string, reason = 'killed'): Promise<void> {
    this.#engine.assertOpen();
    this.#engine.release(this.#engine.core(id), 'killed', reason);
  }

  /** Subscribes to kernel events (`signal`, `record`, `agent`, `error`, `warning`); returns the unsubscribe function. */
  on<K extends keyof KernelEventMap>(
    type: K,
    handler: (event: KernelEventMap[K]) => void,
  ): () => void {
    expectOneOf('type', type, EVENTS);
    if (typeof handler !== 'function') invalid('handler', 'a function', handler);
    return this.#engine.events.on(type, handler);
  }

  /** The health report: pool, agents, waiting queue and limits, as plain JSON-able data. */
  status(): KernelStatus {
    return buildStatus(this.#engine);
  }

  /** A bar for one agent's window: `[████████░░] 82% (82,000/100,000 tokens)`. */
  formatStatus(id: string): string {
    const core = this.#engine.core(id);
    return formatBar(core.used, core.total);
  }

  /** Aggregated usage by a dimension, for a period (the current one unless `at` names another). */
  usage(query: { by: Dimension; period?: PeriodKind | 'lifetime'; at?: number }): UsageRow[] {
    expectOneOf('by', query?.by, DIMENSIONS);
    if (query.period !== undefined) expectOneOf('period', query.period, PERIODS);
    return this.#engine.ledger.usage(query);
  }

  /** The `n` agents that spent the most in the period. */
  topAgents(n: number, period: PeriodKind | 'lifetime' = 'lifetime'): UsageRow[] {
    return this.#engine.ledger.topAgents(
      expectPositiveInt('n', n),
      expectOneOf('period', period, PERIODS),
    );
  }

  /** Spend rate over the last `windowMs` (default one hour). */
  burnRate(windowMs?: number): ReturnType<KernelEngine['ledger']['burnRate']> {
    return this.#engine.ledger.burnRate(
      windowMs === undefined ? undefined : expectPositiveInt('windowMs', windowMs),
    );
  }

  /** Projected total for the current period against a limit. */
  forecast(
    period: PeriodKind,
    limit?: { tokens?: number; usd?: number },
  ): ReturnType<KernelEngine['ledger']['forecast']> {
    return this.#engine.ledger.forecast(
      expectOneOf('period', period, ['hour', 'day', 'week', 'month']),
      limit,
    );
  }

  /** The most recent usage records (bounded ring), oldest first. */
  records(n?: number): UsageRecord[] {
    return this.#engine.ledger.recent(n === undefined ? undefined : expectPositiveInt('n', n));
  }

  /** The text cost report with optimization opportunities. */
  report(options: { period?: PeriodKind | 'lifetime' } = {}): string {
    const period =
      options.period === undefined ? 'lifetime' : expectOneOf('period', options.period, PERIODS);
    return buildCostReport(this.#engine, period);
  }

  /** The pricing the kernel uses. */
  get pricing(): Pricing {
    return this.#engine.pricing;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /**
   * Token counting: exact for OpenAI encodings (chat overhead included), calibrated estimates for
   * other models; large texts are counted in worker threads, started on first use.
   */
  get tokens(): TokenCounter {
    return this.#engine.tokens;
  }

  /**
   * The cheapest candidate model that meets `minQuality` and that the agent's remaining budgets
   * can pay for, with a verdict for every candidate (and the reason when none fits).
   */
  pickModel(request: PickModelRequest): Promise<PickModelResult> {
    try {
      const core = this.#engine.core(request?.agentId);
      return pickModel(
        {
          accounting: this.#engine.accounting,
          pricing: this.#engine.pricing,
          tokens: this.#engine.tokens,
          estimator: this.#engine.estimator,
        },
        core,
        request,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Compresses a conversation to at most `maxTokens` (exact count) off the main thread: lossless
   * pass, low-signal turns dropped, an extractive summary of older turns, exact truncation last.
   * The system prompt, the last user message, the last `keepRecent` turns and `pinned` messages
   * stay byte-identical. With `summarizer` and `agentId`, the summarizer's usage is charged to
   * that agent.
   * @throws (rejects) KernelError `INVALID_ARGUMENT`, `BUDGET_EXCEEDED` (what must be kept alone
   *   exceeds `maxTokens`), `WORKER_FAILED`, `KERNEL_CLOSED`
   */
  async compress(
    messages: readonly ChatMessage[],
    options: CompressOptions & { summarizer?: Summarizer; agentId?: string },
  ): Promise<CompressResult> {
    const agent = options?.agentId === undefined ? undefined : this.agent(options.agentId);
    const { agentId: _agentId, ...rest } = options;
    this.#engine.assertOpen();
    const result = await this.#engine.workers.compressor.compress(messages, rest);
    if (result.summarizerUsage !== undefined && agent !== undefined && !this.#engine.closed) {
      this.#engine.accounting.record(agent.core, result.summarizerUsage, options.model, false);
    }
    return result;
  }

  /**
   * Compacts an agent's context when it is warned (high-water → low-water), or at once on a
   * `compaction` request. Returns the function that stops it.
   */
  compactOnWarn(id: string, options: CompactOnWarnOptions): CompactionStop {
    const agent = this.agent(id);
    return compactOnWarn(
      {
        tokens: this.tokens,
        compress: (messages, o) => this.compress(messages, o),
        on: (type, handler) => this.on(type, handler),
        reportError: (error) =>
          this.#engine.events.emitError(error, { source: 'compaction', agentId: id }),
      },
      agent,
      options,
    );
  }

  /**
   * Runs an agent's own code in a worker thread: the module's default export gets a handle bound
   * to that one agent (reserve, commit, cancel, record, call, batch, onSignal, status). SIGSTOP
   * makes its kernel calls wait (or reject, per `onStop`); `kernel.kill(id)` terminates the
   * worker even if it never yields, and reclaims the window.
   * @throws (rejects) KernelError `INVALID_ARGUMENT`, plus what `spawn` throws
   */
  async spawnIsolated(
    moduleUrl: string | URL,
    options: IsolatedAgentOptions,
  ): Promise<IsolatedAgent> {
    this.#engine.assertOpen();
    const isolated = await spawnIsolated(this, moduleUrl, {
      maxTtlMs: this.#engine.options.reservationTtlMs,
      clock: this.#engine.options.clock,
      ...options,
    });
    this.#isolated.add(isolated);
    void isolated.done.then(() => this.#isolated.delete(isolated));
    return isolated;
  }

  /**
   * Serves the live dashboard (per-agent bars, signal log, spend by model, cache savings, pool
   * utilization, over server-sent events), `/status` (JSON) and `/metrics` (Prometheus).
   * A non-loopback `host` requires a `token`.
   * @throws (rejects) KernelError `INVALID_ARGUMENT`
   * @example
   * const server = await kernel.serve({ port: 8787 });
   * console.log(server.url);
   */
  serve(options?: DashboardOptions): Promise<DashboardServer> {
    return serveDashboard(this, options);
  }

  /** Response-cache statistics (hits, misses, evictions, bytes, cost saved), or undefined without a cache. */
  cacheStats(): CostCacheStats | undefined {
    return this.#engine.cache?.stats();
  }

  /** How learned output estimates fared: how often actual output exceeded the reservation. */
  outputEstimateStats(): OutputEstimatorStats {
    return this.#engine.estimator.stats();
  }

  /**
   * Ends all timers and workers so the process can exit; waiting calls reject with
   * `KERNEL_CLOSED`. With a store, flushes it (and gives shared leases back). Idempotent: a second
   * call returns the first one's promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Isolated agents' workers would keep the process alive: end them first.
    await Promise.all([...this.#isolated].map((agent) => agent.kill('kernel closed')));
    const givingBack = this.#engine.shared?.close();
    this.#engine.close();
    await givingBack;
    await Promise.all([this.#engine.workers.close(), this.#engine.journal.close()]);
  }
}

/**
 * Creates a kernel.
 * @throws KernelError `INVALID_ARGUMENT` naming the bad option
 * @example
 * const kernel = createKernel({ totalBudget: 128_000, warnThresholds: [0.85] });
 */
export function createKernel(options: KernelOptions): Kernel {
  if (options === null || typeof options !== 'object')
    invalid('options', 'an object with `totalBudget`', options);
  return new Kernel(options);
}
