import type { Usage } from '../usage.js';
import { expectId } from '../validate.js';
import type { UsageFormat } from './usage-shape.js';

/** A JSON object read as a plain record. */
export type Fields = Readonly<Record<string, unknown>>;

/** True for a plain object (not null, not an array). */
export function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * One usage record read from a line, before pricing and attribution. Ids are undefined when the
 * line has none (booked under `NO_KEY`).
 */
export interface NormalizedRecord {
  /** ms since the epoch, or undefined when the line carries no time. */
  readonly time: number | undefined;
  readonly agentId: string | undefined;
  readonly taskId: string | undefined;
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
  readonly model: string;
  readonly usage: Usage;
  /** The cost the line states (kernel records), nano-USD; undefined to price it. */
  readonly costNano: number | undefined;
  /** Where a stated cost's price came from. */
  readonly priceSource: string | undefined;
  /** Served from the kernel's response cache. */
  readonly cached: boolean;
  /** What a cache hit would have cost, nano-USD. */
  readonly savedNano: number;
  readonly format: UsageFormat;
}

/**
 * An optional id: a non-empty string of at most 256 characters, or a finite number (user ids
 * often are), as a string; null and undefined are absent.
 * @throws KernelError `INVALID_ARGUMENT` naming the field
 */
export function optionalId(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return expectId(name, value);
}

/** The first of `keys` that `from` (and then each of `nested`'s objects) defines. */
export function pick(from: Fields, keys: readonly string[], nested: readonly string[]): unknown {
  for (const key of keys) if (from[key] !== undefined && from[key] !== null) return from[key];
  for (const outer of nested) {
    const inner = from[outer];
    if (!isFields(inner)) continue;
    for (const key of keys) if (inner[key] !== undefined && inner[key] !== null) return inner[key];
  }
  return undefined;
}
