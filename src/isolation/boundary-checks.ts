import type { ReserveRequest } from '../kernel/accounting.js';
import { validateUsage, type Usage } from '../usage.js';
import { expectId, expectObject, expectPositiveInt, expectTokens, invalid } from '../validate.js';
import { MAX_BATCH, type BatchOp } from './isolated-protocol.js';

const RESERVE_KEYS = ['model', 'inputTokens', 'maxOutputTokens', 'ttlMs'];
const USAGE_KEYS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
];
const RECORD_OPTION_KEYS = ['model'];
const CALL_OPTION_KEYS = ['cache', 'abortOnStop'];

/**
 * Rejects any key not in `allowed`: a field such as `agentId` or `userId` smuggled into a
 * request is refused, not ignored.
 */
function onlyKeys(name: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      invalid(`${name}.${key}`, `absent (allowed: ${allowed.join(', ')})`, value[key]);
}

/** Asserts the number of arguments: an extra argument (another agent's id, …) is refused. */
export function checkArity(
  method: string,
  args: readonly unknown[],
  min: number,
  max: number,
): void {
  if (args.length < min || args.length > max)
    invalid(
      `${method} arguments`,
      min === max ? `${min} argument${min === 1 ? '' : 's'}` : `${min} to ${max} arguments`,
      args.length,
    );
}

/**
 * A reservation request from the worker: known keys only, counts as the public API requires,
 * and `ttlMs` no longer than `maxTtlMs` (an isolated agent cannot extend its hold).
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function checkReserveRequest(value: unknown, maxTtlMs: number): ReserveRequest {
  const r = expectObject('request', value);
  onlyKeys('request', r, RESERVE_KEYS);
  if (r['model'] !== undefined) expectId('request.model', r['model']);
  expectTokens('request.inputTokens', r['inputTokens']);
  expectTokens('request.maxOutputTokens', r['maxOutputTokens']);
  if (r['ttlMs'] !== undefined && expectPositiveInt('request.ttlMs', r['ttlMs']) > maxTtlMs)
    invalid('request.ttlMs', `at most ${maxTtlMs} ms`, r['ttlMs']);
  return r as unknown as ReserveRequest;
}

/** A usage from the worker: the five count fields only, each a non-negative safe integer. */
export function checkUsage(value: unknown): Usage {
  const u = expectObject('usage', value);
  onlyKeys('usage', u, USAGE_KEYS);
  return validateUsage(u);
}

/** `record`'s options: `{ model? }` only. */
export function checkRecordOptions(value: unknown): { model?: string } {
  if (value === undefined) return {};
  const o = expectObject('options', value);
  onlyKeys('options', o, RECORD_OPTION_KEYS);
  return o['model'] === undefined ? {} : { model: expectId('options.model', o['model']) };
}

/** A reservation id: a string; whether it names one of this agent's reservations is the caller's check. */
export function checkReservationId(value: unknown): string {
  return expectId('reservationId', value);
}

/** `call`'s options from the worker: `cache` (true/false, never `'force'`) and `abortOnStop`. */
export function checkCallOptions(value: unknown): { cache?: boolean; abortOnStop?: boolean } {
  if (value === undefined) return {};
  const o = expectObject('options', value);
  onlyKeys('options', o, CALL_OPTION_KEYS);
  for (const key of CALL_OPTION_KEYS)
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
      invalid(`options.${key}`, 'a boolean', o[key]);
  return o as { cache?: boolean; abortOnStop?: boolean };
}

/** A batch: an array of at most {@link MAX_BATCH} operations, each shaped like its single call. */
export function checkBatch(value: unknown): readonly BatchOp[] {
  if (!Array.isArray(value)) invalid('operations', 'an array', value);
  if (value.length > MAX_BATCH) invalid('operations.length', `at most ${MAX_BATCH}`, value.length);
  return value as BatchOp[];
}

/** The keys each batch operation may carry. */
export const BATCH_KEYS: Readonly<Record<BatchOp['op'], readonly string[]>> = {
  reserve: ['op', 'request'],
  commit: ['op', 'id', 'usage'],
  cancel: ['op', 'id'],
  record: ['op', 'usage', 'options'],
};

/** One batch operation's shape (its arguments are checked by the single-call path). */
export function checkBatchOp(value: unknown, index: number): BatchOp {
  const o = expectObject(`operations[${index}]`, value);
  const op = o['op'];
  if (typeof op !== 'string' || !Object.hasOwn(BATCH_KEYS, op))
    invalid(`operations[${index}].op`, "one of 'reserve', 'commit', 'cancel', 'record'", op);
  onlyKeys(`operations[${index}]`, o, BATCH_KEYS[op as BatchOp['op']]);
  return o as unknown as BatchOp;
}
