/** How a failed call is settled. */
export type CallFailure =
  /** The model never ran (connection refused, a 4xx before processing): cancel the reservation. */
  | 'never-ran'
  /** Aborted or cut short after the model started: settle input plus the output seen so far. */
  | 'cut-short'
  /** Unknown whether it ran (a 5xx, a timeout): settle with the input estimate, never $0. */
  | 'ambiguous';

const NEVER_RAN_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_INVALID_URL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function field(error: unknown, key: string): unknown {
  return error !== null && typeof error === 'object'
    ? (error as Record<string, unknown>)[key]
    : undefined;
}

/** The HTTP status an SDK error carries (`status`, `statusCode`, `response.status`). */
export function statusOf(error: unknown): number | undefined {
  for (const candidate of [
    field(error, 'status'),
    field(error, 'statusCode'),
    field(field(error, 'response'), 'status'),
  ]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Classifies a failed call. A connection that never opened or a 4xx answer (the provider refused
 * before processing; 408 and 429 included) means the model never ran. An abort, or an error after
 * output began, means it ran and was cut short. Anything else (5xx, resets, timeouts without
 * output) is ambiguous. The error's `cause` chain is searched for a network code.
 */
export function classifyFailure(
  error: unknown,
  context: { aborted: boolean; outputSeen: boolean },
): CallFailure {
  if (context.aborted || context.outputSeen) return 'cut-short';
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) return 'never-ran';
  for (
    let e: unknown = error, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = field(e, 'cause'), depth++
  ) {
    const code = field(e, 'code');
    if (typeof code === 'string' && NEVER_RAN_CODES.has(code)) return 'never-ran';
  }
  return 'ambiguous';
}
