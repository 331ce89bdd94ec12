import { expectOneOf, invalid } from '../validate.js';
import type { AlertEvent, AlertSink } from './alert-event.js';

/** Events of a rule engine. */
export interface RuleEngineEventMap {
  /** Every alert fired or cleared: the events sink. */
  alert: AlertEvent;
  /** A sink, handler or action that failed; the engine carries on. */
  error: {
    readonly type: 'rules.error';
    readonly error: unknown;
    readonly context: Readonly<Record<string, unknown>>;
  };
}

type Handlers = { [K in keyof RuleEngineEventMap]: Array<(e: RuleEngineEventMap[K]) => void> };

/**
 * Hands alerts to subscribers and sinks and keeps a bounded history. Nothing a subscriber or a
 * sink does (throw, reject) reaches the caller: it becomes an `error` event, or a process warning
 * when nobody listens for errors.
 */
export class AlertDispatch {
  readonly #sinks: readonly AlertSink[];
  readonly #historySize: number;
  readonly #history: AlertEvent[] = [];
  readonly #handlers: Handlers = { alert: [], error: [] };

  constructor(sinks: readonly AlertSink[], historySize: number) {
    this.#sinks = [...sinks];
    this.#historySize = historySize;
  }

  /** Subscribes to `alert` or `error`; returns the unsubscribe function. @throws KernelError `INVALID_ARGUMENT` */
  on<K extends keyof RuleEngineEventMap>(
    type: K,
    handler: (event: RuleEngineEventMap[K]) => void,
  ): () => void {
    expectOneOf('type', type, ['alert', 'error']);
    if (typeof handler !== 'function') invalid('handler', 'a function', handler);
    const list = this.#handlers[type] as Array<(e: RuleEngineEventMap[K]) => void>;
    list.push(handler);
    return () => {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** The kept alerts, oldest first. */
  history(): AlertEvent[] {
    return [...this.#history];
  }

  /** Records the alert, then hands it to every subscriber and every sink. */
  emit(alert: AlertEvent): void {
    this.#history.push(alert);
    if (this.#history.length > this.#historySize)
      this.#history.splice(0, this.#history.length - this.#historySize);
    for (const handler of [...this.#handlers.alert]) {
      try {
        handler(alert);
      } catch (error) {
        this.report(error, { source: 'alert handler', rule: alert.rule });
      }
    }
    for (const sink of this.#sinks) {
      try {
        const result = sink.deliver(alert);
        if (result !== undefined && typeof (result as Promise<void>).then === 'function')
          (result as Promise<void>).then(undefined, (error: unknown) =>
            this.report(error, { source: 'alert sink', rule: alert.rule }),
          );
      } catch (error) {
        this.report(error, { source: 'alert sink', rule: alert.rule });
      }
    }
  }

  /** Reports a failure to `error` subscribers (a process warning when there are none). */
  report(error: unknown, context: Record<string, unknown>): void {
    const handlers = this.#handlers.error;
    if (handlers.length === 0) {
      const message = error instanceof Error ? error.message : String(error);
      process.emitWarning(
        `token-kernel rules: ${String(context['source'])} failed: ${message}`,
        'TokenKernelRulesError',
      );
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler({ type: 'rules.error', error, context });
      } catch {
        // An error handler that throws has nowhere left to report to.
      }
    }
  }
}
