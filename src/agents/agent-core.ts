import type { Attribution } from '../budget/ledger.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import { ThresholdLadder } from '../budget/threshold-ladder.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import type { AnyActorRef } from 'xstate';
import { AgentLifecycle, type LifecycleFlags } from './agent-lifecycle.js';
import type { AgentState } from './agent-machine.js';
import type { Priority } from './priority.js';
import type { ReservationCore } from './reservation-core.js';
import type { SignalEvent, SignalLimit, SignalName } from './signal.js';

/** A pending `whenRunnable` call. */
export interface RunnableWaiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly cleanup: () => void;
}

/**
 * The kernel's internal record of one agent: its window, the counters that apply to it and its
 * lifecycle. Plain fields, because the accounting hot path reads and writes them directly.
 * Window invariant: `used + reserved + free = total` (reserved includes children's windows).
 */
export class AgentCore implements LifecycleFlags {
  // Read on every record: declared first, so that V8 (which lays fields out in declaration
  // order) keeps them together in the object's first two cache lines. Then what reserve adds.
  /** Kept here by {@link lifecycle}: true once released or killed. */
  final = false;
  readonly counters: readonly LimitCounter[];
  readonly attribution: Attribution;
  readonly defaultModel: string | undefined;
  /** Memo of the last model used: its price and model-limit counters. */
  lastModel: string | undefined;
  lastPrice: ResolvedPrice | undefined;
  /** `priceUntil` is Infinity (checked first: a boolean is read without unboxing a number). */
  priceFixed = false;
  lastModelCounters: readonly LimitCounter[] = [];
  used = 0;
  /**
   * `min(ladder.nextAt, total)`: a record that brings `used` to it has a window crossing to
   * look at. Kept by {@link syncWindow} wherever `total` or the ladder changes, so that the hot
   * path compares one number and does not touch the ladder.
   */
  windowAt = 0;
  lookupUsed = 0;
  reasoningUsed = 0;

  /** Kept here by {@link lifecycle}: true while active or warned. */
  running = false;
  total = 0;
  /** Open reservations plus children's windows. */
  reserved = 0;
  lookupReserved = 0;
  reasoningReserved = 0;
  readonly enforceSplit: boolean;
  /** Intrusive list of this agent's open reservations. */
  firstReservation: ReservationCore | undefined;
  /** Until when `lastPrice` applies (ms; a time- or date-conditional price changes then). */
  priceUntil = 0;
  readonly lifecycle: AgentLifecycle;
  readonly ladder: ThresholdLadder;

  readonly id: string;
  readonly taskId: string | undefined;
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: Priority;
  readonly parent: AgentCore | undefined;
  readonly lookupRatio: number;
  /** Tokens asked for at spawn (undefined: a priority share). */
  readonly requested: number | undefined;
  /** Spawn order, for FIFO within a priority. */
  readonly seq: number;
  /** Tokens of `reserved` held by live children's windows. */
  childHold = 0;
  /** Calls switch to the cheaper model of the kernel's `downgrade` map while set (rules, operators). */
  downgraded = false;
  /** Tokens taken by critical preemption, restored first when the pool is replenished. */
  preempted = 0;
  /** Why the agent is stopped, by cause name; empty when it may run. Created on the first stop. */
  #stopCauses: Map<string, SignalLimit> | undefined;
  children: Set<AgentCore> | undefined;
  waiters: RunnableWaiter[] | undefined;
  handlers: Map<SignalName, Array<(e: SignalEvent) => void>> | undefined;
  /** The public handle, created once (kept here so `kernel.agent(id)` returns the same object). */
  handle: object | undefined;

  constructor(init: {
    id: string;
    taskId: string | undefined;
    userId: string | undefined;
    sessionId: string | undefined;
    labels: Readonly<Record<string, string>>;
    priority: Priority;
    parent: AgentCore | undefined;
    defaultModel: string | undefined;
    lookupRatio: number;
    enforceSplit: boolean;
    requested: number | undefined;
    seq: number;
    counters: readonly LimitCounter[];
    attribution: Attribution;
    thresholds: readonly number[];
    deliver: (signal: SignalEvent) => void;
    kernelActor?: AnyActorRef;
    /** The lifecycle state to start in (a restored agent). @default 'waiting' */
    state?: AgentState;
  }) {
    this.id = init.id;
    this.taskId = init.taskId;
    this.userId = init.userId;
    this.sessionId = init.sessionId;
    this.labels = init.labels;
    this.priority = init.priority;
    this.parent = init.parent;
    this.defaultModel = init.defaultModel;
    this.lookupRatio = init.lookupRatio;
    this.enforceSplit = init.enforceSplit;
    this.requested = init.requested;
    this.seq = init.seq;
    this.counters = init.counters;
    this.attribution = init.attribution;
    this.ladder = new ThresholdLadder(init.thresholds, 0);
    this.lifecycle = new AgentLifecycle(
      init.state ?? 'waiting',
      init.deliver,
      init.kernelActor,
      undefined,
      this,
    );
  }

  /** Recomputes {@link windowAt} after `total` or the window's ladder changed. */
  syncWindow(): void {
    this.windowAt = Math.min(this.ladder.nextAt, this.total);
  }

  /** The causes that stop the agent (a shared empty map until the first stop). */
  get stopCauses(): Map<string, SignalLimit> {
    return (this.#stopCauses ??= new Map());
  }

  /** How many causes stop the agent, without creating the map. */
  get stopCount(): number {
    return this.#stopCauses === undefined ? 0 : this.#stopCauses.size;
  }

  get state(): AgentState {
    return this.lifecycle.state;
  }

  /** Tokens neither used nor reserved (never negative). */
  get free(): number {
    return Math.max(0, this.total - this.used - this.reserved);
  }

  /** The lookup (input) sub-budget: `floor(total × lookupRatio)`. */
  get lookupTotal(): number {
    return Math.floor(this.total * this.lookupRatio);
  }

  /** True when admitted, not final, and nothing stops it. */
  get runnable(): boolean {
    return this.running && this.stopCount === 0;
  }

  /** True when any threshold of its window or its limits is in force. */
  get warned(): boolean {
    if (this.ladder.warned) return true;
    for (const c of this.counters) if (c.tokenLadder.warned || c.nanoLadder.warned) return true;
    return false;
  }
}
