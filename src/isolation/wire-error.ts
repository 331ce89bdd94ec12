import { KernelError, type KernelErrorCode } from '../errors.js';
import type { WireError } from './isolated-protocol.js';

const CODES: Readonly<Record<KernelErrorCode, true>> = {
  INVALID_ARGUMENT: true,
  BUDGET_EXCEEDED: true,
  POOL_EXHAUSTED: true,
  UNKNOWN_AGENT: true,
  DUPLICATE_AGENT: true,
  UNKNOWN_MODEL: true,
  AGENT_NOT_RUNNABLE: true,
  AGENT_RELEASED: true,
  RESERVATION_SETTLED: true,
  RESERVATION_EXPIRED: true,
  WORKER_FAILED: true,
  KERNEL_CLOSED: true,
  ABORTED: true,
  INVALID_CONFIG: true,
  NOT_READY: true,
  STORE_FAILED: true,
  STORE_UNAVAILABLE: true,
};

/** True when `code` is one of the kernel's error codes. */
export function isKernelErrorCode(code: unknown): code is KernelErrorCode {
  return typeof code === 'string' && Object.hasOwn(CODES, code);
}

/**
 * Turns anything thrown into plain, cloneable data: the code (a `KernelError`'s, a Node error's
 * `ERR_…`, else `WORKER_FAILED`), message, name, stack and, when cloneable, `details`.
 */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error))
    return { code: 'WORKER_FAILED', message: `Non-error thrown: ${String(error)}` };
  const raw = (error as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : 'WORKER_FAILED';
  const base = { code, message: error.message, name: error.name, stack: error.stack ?? '' };
  const details = (error as { details?: unknown }).details;
  if (details === undefined || details === null || typeof details !== 'object') return base;
  try {
    return { ...base, details: structuredClone(details) as Record<string, unknown> };
  } catch {
    return base;
  }
}

/**
 * Rebuilds an error from the wire: a `KernelError` when the code is a kernel code (so
 * `err.code === 'BUDGET_EXCEEDED'` holds across the boundary), else an `Error` carrying `code`.
 */
export function fromWireError(wire: WireError): Error {
  const details = wire.details ?? {};
  let error: Error;
  if (isKernelErrorCode(wire.code)) error = new KernelError(wire.code, wire.message, { details });
  else error = Object.assign(new Error(wire.message), { code: wire.code });
  if (wire.name !== undefined && wire.name !== error.name)
    Object.defineProperty(error, 'name', { value: wire.name, configurable: true, writable: true });
  if (wire.stack !== undefined && wire.stack !== '') error.stack = wire.stack;
  return error;
}
