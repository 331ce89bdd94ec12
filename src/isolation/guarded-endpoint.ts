import type { Endpoint } from 'comlink';
import type { Worker } from 'node:worker_threads';
import type { ControlMessage, Envelope } from './isolated-protocol.js';

type Listener = (event: { data: unknown }) => void;

/** What the guard hands on besides comlink's requests. */
export interface GuardSinks {
  /** A control message from the worker (`result`, `error`). */
  readonly control: (message: ControlMessage) => void;
  /** A message the guard refused, described. */
  readonly refused: (what: string) => void;
}

/**
 * A comlink endpoint over a worker that lets through only calls of the allowed methods with
 * plain (structured-clone) arguments. `Comlink.expose` alone would also serve GET/SET on any
 * path (`__proto__` included: prototype pollution on the main thread), CONSTRUCT, ENDPOINT
 * (a second, unguarded channel) and proxy arguments (ports back into the worker). A refused
 * request with an id is answered with an `INVALID_ARGUMENT` envelope so the caller does not hang.
 */
export function guardedEndpoint(
  worker: Worker,
  allowed: readonly string[],
  sinks: GuardSinks,
): Endpoint & { detach(): void } {
  const delivers = new Map<unknown, Listener>();
  const refuse = (data: unknown, what: string): void => {
    sinks.refused(what);
    const id = (data as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const value: Envelope<never> = {
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: `Refused at the isolation boundary: ${what}` },
    };
    worker.postMessage({ id, type: 'RAW', value });
  };
  const onMessage = (data: unknown): void => {
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      return refuse(data, 'a message that is not an object');
    const m = data as Record<string, unknown>;
    if (m['tk'] === 'result' || m['tk'] === 'error')
      return sinks.control(m as unknown as ControlMessage);
    // Sent by comlink when the worker's proxies are garbage-collected; serving it would detach
    // comlink's listener, so it is dropped (nothing waits for its answer).
    if (m['type'] === 'RELEASE') return;
    const path = m['path'];
    const args = m['argumentList'];
    if (m['type'] !== 'APPLY' || typeof m['id'] !== 'string')
      return refuse(data, `a ${String(m['type'])} request (only method calls are served)`);
    if (!Array.isArray(path) || path.length !== 1 || !allowed.includes(path[0] as string))
      return refuse(data, `a call of \`${Array.isArray(path) ? path.join('.') : String(path)}\``);
    if (!Array.isArray(args) || !args.every(isRawWireValue))
      return refuse(data, 'arguments that are not plain values');
    for (const deliver of delivers.values()) deliver({ data });
  };
  worker.on('message', onMessage);
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    addEventListener: (_type, handler) => {
      delivers.set(
        handler,
        typeof handler === 'function'
          ? (handler as unknown as Listener)
          : (event) => (handler as unknown as { handleEvent: Listener }).handleEvent(event),
      );
    },
    removeEventListener: (_type, handler) => {
      delivers.delete(handler);
    },
    detach: () => {
      worker.off('message', onMessage);
      delivers.clear();
    },
  };
}

function isRawWireValue(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as { type?: unknown }).type === 'RAW' &&
    Object.keys(value).every((k) => k === 'type' || k === 'value')
  );
}
