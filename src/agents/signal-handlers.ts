import type { AgentCore, RunnableWaiter } from './agent-core.js';
import type { SignalEvent, SignalName } from './signal.js';

/** Adds a handler for one of an agent's signals; returns the function that removes it. */
export function addSignalHandler(
  core: AgentCore,
  signal: SignalName,
  handler: (event: SignalEvent) => void,
): () => void {
  const handlers = (core.handlers ??= new Map());
  const list = handlers.get(signal) ?? [];
  list.push(handler);
  handlers.set(signal, list);
  return () => {
    const i = list.indexOf(handler);
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * Settles an agent's `whenRunnable` waiters: resolved, or rejected with the error `fail` makes
 * (built only when someone waits: an error captures a stack trace, which costs microseconds).
 */
export function wakeWaiters(core: AgentCore, fail?: () => unknown): void {
  const waiters: RunnableWaiter[] | undefined = core.waiters;
  if (waiters === undefined || waiters.length === 0) return;
  core.waiters = undefined;
  const error = fail?.();
  for (const w of waiters) {
    w.cleanup();
    if (fail === undefined) w.resolve();
    else w.reject(error);
  }
}
