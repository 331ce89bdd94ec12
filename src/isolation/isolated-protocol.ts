import type { WindowSnapshot } from '../agents/governed-agent.js';
import type { AgentState } from '../agents/agent-machine.js';
import type { SignalEvent } from '../agents/signal.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { ReserveRequest } from '../kernel/accounting.js';
import type { Usage } from '../usage.js';

/** The kernel methods an isolated agent may call, by name. Nothing else crosses the boundary. */
export type RemoteMethod = 'reserve' | 'commit' | 'cancel' | 'record' | 'status' | 'batch' | 'call';

/** Every remote method, in the order the worker learns them. */
export const REMOTE_METHODS: readonly RemoteMethod[] = [
  'reserve',
  'commit',
  'cancel',
  'record',
  'status',
  'batch',
  'call',
];

/** `workerData` of the agent host: what the worker needs to start the agent's module. */
export interface HostData {
  /** The agent module, as a `file:` or `data:` URL. */
  readonly moduleUrl: string;
  /** The module's input (structured-cloned). */
  readonly data: unknown;
  readonly agentId: string;
  /** The remote methods this agent may call (`call` only when the kernel has governed calls). */
  readonly methods: readonly RemoteMethod[];
}

/** An error as it crosses the boundary: the `KernelError` code survives. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly name?: string;
  readonly stack?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * What every remote method answers. Comlink's own error transfer keeps only name and message,
 * so kernel errors travel as values and the worker re-throws them as `KernelError`s.
 */
export type Envelope<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WireError };

/** The worker's view of a reservation: the reservation stays on the main thread, keyed by `id`. */
export interface ReservationTicket {
  /** The kernel's reservation id (also the usage record's `reservationId`). */
  readonly id: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** inputTokens + maxOutputTokens. */
  readonly tokens: number;
  /** Money held, nano-USD. */
  readonly costNano: number;
  /** When the kernel releases it unless settled, ms since the epoch. */
  readonly expiresAt: number;
}

/** What `status()` tells an isolated agent: its own window and state, nothing about others. */
export interface IsolatedAgentStatus {
  readonly id: string;
  readonly state: AgentState;
  readonly runnable: boolean;
  readonly stopCauses: readonly string[];
  readonly window: WindowSnapshot;
}

/** One operation of `batch`: the same arguments as the single-call method. */
export type BatchOp =
  | { readonly op: 'reserve'; readonly request: ReserveRequest }
  | { readonly op: 'commit'; readonly id: string; readonly usage: Usage }
  | { readonly op: 'cancel'; readonly id: string }
  | { readonly op: 'record'; readonly usage: Usage; readonly options?: { model?: string } };

/** The result of one batch operation, in the order of the operations. */
export type BatchResult = Envelope<ReservationTicket | UsageRecord | boolean>;

/** Worker → main control messages (beside comlink's requests). */
export type ControlMessage =
  | { readonly tk: 'result'; readonly value: unknown }
  | { readonly tk: 'error'; readonly error: WireError };

/** Main → worker: a signal for the agent (on the same channel as comlink's replies, so in order). */
export interface SignalMessage {
  readonly tk: 'signal';
  readonly event: SignalEvent;
}

/** Most operations one `batch` may carry. */
export const MAX_BATCH = 1024;
