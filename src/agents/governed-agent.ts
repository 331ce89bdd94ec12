import type { Actor } from 'xstate';
import type { UsageRecord } from '../budget/usage-record.js';
import { KernelError } from '../errors.js';
import type { Refusal, ReserveRequest } from '../kernel/accounting.js';
import { ended } from '../kernel/accounting-outcomes.js';
import type { KernelEngine } from '../kernel/kernel-engine.js';
import type { CallOptions, CallRequest, CallResult, Invoke } from '../calls/call-types.js';
import type { Usage } from '../usage.js';
import { expectId, expectOneOf, invalid } from '../validate.js';
import type { AgentCore } from './agent-core.js';
import type { AgentState, agentMachine } from './agent-machine.js';
import type { Priority } from './priority.js';
import { ReservationCore } from './reservation-core.js';
import { addSignalHandler } from './signal-handlers.js';
import { Reservation } from './reservation.js';
import type { SignalEvent, SignalName } from './signal.js';
import type { SpawnOptions } from './spawn-options.js';

/** A window's figures, in tokens. `used + reserved + free = total` (used > total only by overshoot). */
export interface WindowSnapshot {
  readonly total: number;
  readonly used: number;
  readonly reserved: number;
  readonly free: number;
  /** Input tokens against the lookup sub-budget (`floor(total × lookupRatio)`). */
  readonly lookup: { readonly total: number; readonly used: number; readonly reserved: number };
  /** Output tokens against the reasoning sub-budget (the rest). */
  readonly reasoning: { readonly total: number; readonly used: number; readonly reserved: number };
  /** Tokens taken by critical preemption, not yet restored. */
  readonly preempted: number;
}

/** The outcome of {@link GovernedAgent.tryReserve}. */
export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation }
  | { readonly ok: false; readonly reason: Refusal };

const SIGNALS: readonly SignalName[] = ['SIGWARN', 'SIGSTOP', 'SIGRESUME', 'SIGKILL'];

/**
 * The handle of one governed agent: reserve before a call, settle after, record what ran
 * unreserved, react to signals, release when done. Obtained from `kernel.spawn` or `agent.spawn`.
 */
export class GovernedAgent {
  readonly #core: AgentCore;
  readonly #engine: KernelEngine;

  /** @internal created by the kernel */
  constructor(core: AgentCore, engine: KernelEngine) {
    this.#core = core;
    this.#engine = engine;
  }

  get id(): string {
    return this.#core.id;
  }

  /** The machine's state: waiting, active, warned, stopped, released or killed. */
  get state(): AgentState {
    return this.#core.state;
  }

  get priority(): Priority {
    return this.#core.priority;
  }

  get taskId(): string | undefined {
    return this.#core.taskId;
  }

  get userId(): string | undefined {
    return this.#core.userId;
  }

  get sessionId(): string | undefined {
    return this.#core.sessionId;
  }

  get labels(): Readonly<Record<string, string>> {
    return this.#core.labels;
  }

  /** The parent agent's id, for sub-agents. */
  get parentId(): string | undefined {
    return this.#core.parent?.id;
  }

  /** The agent's default model, if set at spawn. */
  get model(): string | undefined {
    return this.#core.defaultModel;
  }

  /** True when the agent may reserve now. */
  get runnable(): boolean {
    return this.#core.runnable;
  }

  /** Names of what currently stops it (`window`, a limit's name, `manual`, `preempted`). */
  get stopCauses(): string[] {
    return [...this.#core.stopCauses.keys()];
  }

  /** The agent's xstate actor (created on first read when no crossing has created it yet). */
  get actor(): Actor<typeof agentMachine> {
    return this.#core.lifecycle.actor;
  }

  /** A snapshot of the window. */
  get window(): WindowSnapshot {
    const c = this.#core;
    const lookupTotal = c.lookupTotal;
    return {
      total: c.total,
      used: c.used,
      reserved: c.reserved,
      free: c.free,
      lookup: { total: lookupTotal, used: c.lookupUsed, reserved: c.lookupReserved },
      reasoning: {
        total: c.total - lookupTotal,
        used: c.reasoningUsed,
        reserved: c.reasoningReserved,
      },
      preempted: c.preempted,
    };
  }

  /**
   * Holds `inputTokens + maxOutputTokens` and their maximum cost against the window and every
   * applicable limit, all-or-nothing.
   * @throws KernelError `BUDGET_EXCEEDED` (nothing held), `AGENT_NOT_RUNNABLE`, `AGENT_RELEASED`,
   *   `UNKNOWN_MODEL`, `INVALID_ARGUMENT`
   * @example
   * const r = agent.reserve({ model: 'gpt-4o', inputTokens: 1200, maxOutputTokens: 800 });
   * const res = await callModel();
   * r.commit(fromOpenAI(res.usage));
   */
  reserve(request: ReserveRequest): Reservation {
    this.#engine.assertOpen();
    try {
      return new Reservation(
        this.#engine.accounting.reserve(this.#core, request),
        this.#engine.accounting,
      );
    } catch (error) {
      throw this.#engine.shared === undefined ? error : this.#engine.shared.explain(error);
    }
  }

  /**
   * With a store shared across processes (Redis): resolves when this agent's shared hard limits
   * (and those of `model`) have lease in hand, or the store has none left to give. Resolves at
   * once without a shared store. `agent.call` waits for this by itself.
   */
  whenFunded(options: { model?: string } = {}): Promise<void> {
    this.#engine.assertOpen();
    const shared = this.#engine.shared;
    if (shared === undefined) return Promise.resolve();
    const model =
      options.model === undefined ? this.#core.defaultModel : expectId('model', options.model);
    const counters =
      model === undefined
        ? this.#core.counters
        : [...this.#core.counters, ...this.#engine.registry.modelCounters(model)];
    return shared.whenFunded(counters) ?? Promise.resolve();
  }

  /** Like {@link reserve}, but a budget refusal is returned as `{ ok: false, reason }`, not thrown. */
  tryReserve(request: ReserveRequest): ReserveResult {
    this.#engine.assertOpen();
    const r = this.#engine.accounting.tryReserve(this.#core, request);
    return r instanceof ReservationCore
      ? { ok: true, reservation: new Reservation(r, this.#engine.accounting) }
      : { ok: false, reason: r };
  }

  /** The largest `maxOutputTokens` a reservation of `inputTokens` on `model` would be granted now. */
  headroom(request: { model?: string; inputTokens: number }): {
    maxOutputTokens: number;
    limitedBy: string;
  } {
    this.#engine.assertOpen();
    return this.#engine.accounting.headroom(this.#core, request.model, request.inputTokens);
  }

  /**
   * Books a call made without a reservation. The truth is always recorded, even past a limit
   * (which then stops the agent).
   * @throws KernelError `INVALID_ARGUMENT`, `UNKNOWN_MODEL`, `AGENT_RELEASED`
   */
  record(usage: Usage, options?: { model?: string }): UsageRecord {
    const engine = this.#engine;
    engine.assertOpen();
    const core = this.#core;
    if (core.final) throw ended(core, 'record through a live agent');
    return engine.accounting.record(core, usage, options?.model, false);
  }

  /**
   * The one-line governed call: counts the input, reserves input + output (capping
   * `maxOutputTokens` to what every budget can pay), serves from the response cache when it can,
   * calls `invoke`, and commits the actual usage. A call aborted or cut short settles with the
   * input and the output seen so far (never $0); one that never reached the model is cancelled.
   * @throws (rejects) KernelError `BUDGET_EXCEEDED`, `AGENT_NOT_RUNNABLE`, `INVALID_ARGUMENT`, `ABORTED`,
   *   or whatever `invoke` threw
   * @example
   * const { output, costNano } = await agent.call({ model: 'gpt-4o', messages, temperature: 0 },
   *   async (req, { signal }) => {
   *     const res = await openai.chat.completions.create({ model: req.model, messages: req.messages, max_tokens: req.maxOutputTokens }, { signal });
   *     return { output: res.choices[0].message.content, usage: fromOpenAI(res.usage), finishReason: res.choices[0].finish_reason };
   *   });
   */
  call<T>(request: CallRequest, invoke: Invoke<T>, options?: CallOptions): Promise<CallResult<T>> {
    return this.#engine.calls.call(this.#core, request, invoke, options);
  }

  /** Spawns a sub-agent whose window is carved from this agent's free tokens. */
  spawn(options: SpawnOptions): GovernedAgent {
    return handleOf(this.#engine.spawn(options, this.#core), this.#engine);
  }

  /**
   * Ends the agent: sub-agents first, open reservations released, the unused rest of the window
   * returned to the parent or the pool. Idempotent. Returns the tokens returned.
   */
  release(): number {
    return this.#engine.release(this.#core);
  }

  /** Subscribes to one signal; returns the unsubscribe function. */
  on(signal: SignalName, handler: (event: SignalEvent) => void): () => void {
    expectOneOf('signal', signal, SIGNALS);
    if (typeof handler !== 'function') invalid('handler', 'a function', handler);
    return addSignalHandler(this.#core, signal, handler);
  }

  /**
   * Resolves when the agent may reserve: admitted from the queue, or resumed after SIGSTOP.
   * @throws (rejects) `ABORTED` on abort, `AGENT_RELEASED` when it ends first, `KERNEL_CLOSED`
   */
  whenRunnable(options: { signal?: AbortSignal } = {}): Promise<void> {
    const core = this.#core;
    if (core.runnable) return Promise.resolve();
    if (core.final)
      return Promise.reject(
        new KernelError('AGENT_RELEASED', `Agent \`${core.id}\` is ${core.state}`),
      );
    if (this.#engine.closed)
      return Promise.reject(new KernelError('KERNEL_CLOSED', 'The kernel is closed'));
    const { signal } = options;
    if (signal?.aborted)
      return Promise.reject(
        new KernelError('ABORTED', `Waiting for agent \`${core.id}\` was aborted`, {
          cause: signal.reason,
        }),
      );
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        core.waiters = core.waiters?.filter((w) => w !== waiter);
        reject(
          new KernelError('ABORTED', `Waiting for agent \`${core.id}\` was aborted`, {
            cause: signal?.reason,
          }),
        );
      };
      const waiter = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      (core.waiters ??= []).push(waiter);
    });
  }

  /** @internal */
  get core(): AgentCore {
    return this.#core;
  }
}

/** The one public handle of an agent. */
export function handleOf(core: AgentCore, engine: KernelEngine): GovernedAgent {
  return (core.handle ??= new GovernedAgent(core, engine)) as GovernedAgent;
}
