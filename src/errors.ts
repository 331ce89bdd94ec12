/**
 * Stable error codes. Callers branch on `code`, never on the message.
 */
export type KernelErrorCode =
  | 'INVALID_ARGUMENT'
  | 'BUDGET_EXCEEDED'
  | 'POOL_EXHAUSTED'
  | 'UNKNOWN_AGENT'
  | 'DUPLICATE_AGENT'
  | 'UNKNOWN_MODEL'
  | 'AGENT_NOT_RUNNABLE'
  | 'AGENT_RELEASED'
  | 'RESERVATION_SETTLED'
  | 'RESERVATION_EXPIRED'
  | 'WORKER_FAILED'
  | 'KERNEL_CLOSED'
  | 'ABORTED'
  | 'INVALID_CONFIG'
  | 'NOT_READY'
  | 'STORE_FAILED'
  | 'STORE_UNAVAILABLE';

/** Options accepted by {@link KernelError}. */
export interface KernelErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Machine-readable context (the limit that refused, the agent id, …). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error type thrown or rejected by token-kernel. The kernel's state is unchanged after
 * a call that throws it.
 */
export class KernelError extends Error {
  override readonly name: string = 'KernelError';
  readonly code: KernelErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: KernelErrorCode, message: string, options: KernelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Thrown when a reservation or spawn would cross a hard limit; `details.limit` names it. */
export class BudgetExceededError extends KernelError {
  override readonly name = 'BudgetExceededError';
  constructor(message: string, details: Readonly<Record<string, unknown>>) {
    super('BUDGET_EXCEEDED', message, { details });
  }
}

/** Thrown when the pool cannot cover a window and `onExhausted` is `'reject'`. */
export class PoolExhaustedError extends KernelError {
  override readonly name = 'PoolExhaustedError';
  constructor(message: string, details: Readonly<Record<string, unknown>>) {
    super('POOL_EXHAUSTED', message, { details });
  }
}

/** True when `error` is a {@link KernelError}, optionally with the given code. */
export function isKernelError(error: unknown, code?: KernelErrorCode): error is KernelError {
  return error instanceof KernelError && (code === undefined || error.code === code);
}
