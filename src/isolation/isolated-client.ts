import type { Remote } from 'comlink';
import type { SignalEvent } from '../agents/signal.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { CallResult } from '../calls/call-types.js';
import type { ReserveRequest } from '../kernel/accounting.js';
import { KernelError } from '../errors.js';
import type { Usage } from '../usage.js';
import type {
  BatchOp,
  BatchResult,
  Envelope,
  IsolatedAgentStatus,
  RemoteMethod,
  ReservationTicket,
  SignalMessage,
} from './isolated-protocol.js';
import { fromWireError } from './wire-error.js';

/**
 * What an isolated agent's module receives: its own agent's kernel calls, and nothing else of
 * the kernel. Every call is a round trip to the main thread (~65 µs); `batch` carries many
 * operations in one. Failures reject with a `KernelError` whose `code` survived the boundary.
 */
export interface IsolatedAgentApi {
  /** The agent's id. */
  readonly id: string;
  /**
   * Holds tokens and money for one call. While the agent is stopped it waits (or rejects
   * `AGENT_NOT_RUNNABLE` with `onStop: 'reject'`). `ttlMs` may not exceed the kernel's default.
   * @throws KernelError `BUDGET_EXCEEDED`, `AGENT_NOT_RUNNABLE`, `INVALID_ARGUMENT`, `UNKNOWN_MODEL`
   */
  reserve(request: ReserveRequest): Promise<ReservationTicket>;
  /**
   * Settles one of this agent's reservations with the actual usage.
   * @throws KernelError `INVALID_ARGUMENT` (unknown id, bad usage), `RESERVATION_SETTLED`
   */
  commit(reservationId: string, usage: Usage): Promise<UsageRecord>;
  /** Returns what a reservation held; false when it had already expired. */
  cancel(reservationId: string): Promise<boolean>;
  /** Books a call made without a reservation (always booked; the answer waits while stopped). */
  record(usage: Usage, options?: { model?: string }): Promise<UsageRecord>;
  /** The agent's own state and window. */
  status(): Promise<IsolatedAgentStatus>;
  /** Runs operations in order in one round trip; each result is its own envelope. */
  batch(operations: readonly BatchOp[]): Promise<BatchResult[]>;
  /**
   * A governed call through the kernel and its cache; the model is called on the main thread.
   * Present only when the kernel has governed calls and the spawner gave an `invoke`.
   */
  call?(
    request: { readonly messages: readonly unknown[]; readonly [param: string]: unknown },
    options?: { cache?: boolean; abortOnStop?: boolean },
  ): Promise<CallResult<unknown>>;
  /** Receives SIGWARN, SIGSTOP and SIGRESUME; returns the unsubscribe function. */
  onSignal(handler: (event: SignalEvent) => void): () => void;
}

/** An isolated agent's module: its default export. */
export type IsolatedAgentModule<TData = unknown, TResult = unknown> = (
  agent: IsolatedAgentApi,
  data: TData,
) => TResult | Promise<TResult>;

/** The remote surface as comlink sees it: every method takes anything and answers an envelope. */
export type HostRemote = Remote<Record<RemoteMethod, (...args: unknown[]) => Envelope<unknown>>>;

/** Where signal messages arrive (the worker's `parentPort`). */
export interface SignalSource {
  on(event: 'message', listener: (data: unknown) => void): unknown;
}

/**
 * Builds the module's {@link IsolatedAgentApi} over the comlink remote. Arguments pass through
 * untouched (the main thread validates them); envelopes become values or thrown `KernelError`s.
 */
export function createIsolatedClient(
  remote: HostRemote,
  signals: SignalSource,
  agentId: string,
  methods: readonly RemoteMethod[],
): IsolatedAgentApi {
  const handlers = new Set<(event: SignalEvent) => void>();
  signals.on('message', (data) => {
    const m = data as Partial<SignalMessage> | null;
    if (m?.tk !== 'signal' || m.event === undefined) return;
    for (const handler of [...handlers]) handler(m.event);
  });
  // One comlink proxy per method, made once: each property read makes a new proxy.
  const bound = new Map<RemoteMethod, (...args: unknown[]) => Promise<unknown>>();
  for (const m of methods) {
    const fn = remote[m] as unknown as (...args: unknown[]) => Promise<Envelope<unknown>>;
    bound.set(m, (...args) => fn(...args).then(unwrap, lost));
  }
  const method = (name: RemoteMethod): ((...args: unknown[]) => Promise<never>) =>
    bound.get(name) as (...args: unknown[]) => Promise<never>;
  const api: IsolatedAgentApi = {
    id: agentId,
    reserve: method('reserve'),
    commit: method('commit'),
    cancel: method('cancel'),
    record: method('record'),
    status: method('status'),
    batch: method('batch'),
    ...(bound.has('call') && { call: method('call') }),
    onSignal: (handler) => {
      if (typeof handler !== 'function')
        throw new KernelError('INVALID_ARGUMENT', 'Expected `handler` to be a function');
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
  };
  return Object.freeze(api);
}

function unwrap(envelope: Envelope<unknown>): unknown {
  if (envelope.ok) return envelope.value;
  throw fromWireError(envelope.error);
}

/** Comlink itself failed (an unserializable value): reported as `WORKER_FAILED`. */
function lost(error: unknown): never {
  throw new KernelError(
    'WORKER_FAILED',
    `The kernel call failed in transit: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}
