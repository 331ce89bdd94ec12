import type { SignalEvent } from '../agents/signal.js';
import type { UsageRecord } from '../budget/usage-record.js';

/** A lifecycle event of an agent. */
export interface AgentEvent {
  readonly type: 'agent.spawned' | 'agent.admitted' | 'agent.released' | 'agent.killed';
  readonly agentId: string;
  readonly time: number;
}

/** An error the kernel caught and reports instead of swallowing (a throwing handler, …). */
export interface KernelErrorEvent {
  readonly type: 'kernel.error';
  readonly error: unknown;
  readonly context: Readonly<Record<string, unknown>>;
}

/** A request that an agent compact its context (a rule's `compress` action, an operator). */
export interface CompactionEvent {
  readonly type: 'agent.compaction';
  readonly agentId: string;
  readonly reason: string;
  readonly time: number;
}

/** A settled usage record. */
export interface RecordEvent {
  readonly type: 'usage.recorded';
  readonly record: UsageRecord;
}

/** A warning (unknown model priced by fallback, …). */
export interface WarningEvent {
  readonly type: 'kernel.warning';
  readonly message: string;
}

/** Event names and their payloads for `kernel.on`. */
export interface KernelEventMap {
  signal: SignalEvent;
  record: RecordEvent;
  agent: AgentEvent;
  error: KernelErrorEvent;
  warning: WarningEvent;
  compaction: CompactionEvent;
}

type Handlers = { [K in keyof KernelEventMap]: Array<(event: KernelEventMap[K]) => void> };

/**
 * The kernel's subscribers. A handler that throws is reported as an `error` event (or, with no
 * error subscriber, as a process warning) and never corrupts kernel state.
 */
export class KernelEvents {
  /** While true (a store replay), nothing is delivered. */
  muted = false;
  /** True while someone listens to `record` (read by the accounting hot path). */
  hasRecordListeners = false;
  readonly #handlers: Handlers = {
    signal: [],
    record: [],
    agent: [],
    error: [],
    warning: [],
    compaction: [],
  };

  on<K extends keyof KernelEventMap>(
    type: K,
    handler: (event: KernelEventMap[K]) => void,
  ): () => void {
    const list = this.#handlers[type] as Array<(event: KernelEventMap[K]) => void>;
    list.push(handler);
    this.hasRecordListeners = this.#handlers.record.length > 0;
    return () => {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
      this.hasRecordListeners = this.#handlers.record.length > 0;
    };
  }

  /** True when someone listens to `type` (lets the hot path skip building events). */
  has(type: keyof KernelEventMap): boolean {
    return this.#handlers[type].length > 0;
  }

  emitSignal(event: SignalEvent): void {
    this.#emit('signal', event);
  }

  emitRecord(record: UsageRecord): void {
    if (this.#handlers.record.length > 0) this.#emit('record', { type: 'usage.recorded', record });
  }

  emitAgent(type: AgentEvent['type'], agentId: string, time: number): void {
    if (this.#handlers.agent.length > 0) this.#emit('agent', { type, agentId, time });
  }

  emitCompaction(agentId: string, reason: string, time: number): void {
    this.#emit('compaction', { type: 'agent.compaction', agentId, reason, time });
  }

  emitWarning(message: string): void {
    if (this.muted) return;
    if (this.#handlers.warning.length > 0)
      this.#emit('warning', { type: 'kernel.warning', message });
    else process.emitWarning(message, 'TokenKernelWarning');
  }

  emitError(error: unknown, context: Readonly<Record<string, unknown>>): void {
    const handlers = this.#handlers.error;
    if (handlers.length === 0) {
      const message = error instanceof Error ? error.message : String(error);
      process.emitWarning(
        `token-kernel caught an error from ${String(context['source'] ?? 'a handler')}: ${message}`,
        'TokenKernelError',
      );
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler({ type: 'kernel.error', error, context });
      } catch (nested) {
        process.emitWarning(
          `token-kernel error handler threw: ${String(nested)}`,
          'TokenKernelError',
        );
      }
    }
  }

  #emit<K extends keyof KernelEventMap>(type: K, event: KernelEventMap[K]): void {
    if (this.muted) return;
    for (const handler of [
      ...(this.#handlers[type] as Array<(event: KernelEventMap[K]) => void>),
    ]) {
      try {
        handler(event);
      } catch (error) {
        if (type === 'error') continue;
        this.emitError(error, { source: `${type} subscriber` });
      }
    }
  }
}
